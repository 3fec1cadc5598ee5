// What the Models panel and the model worker agree on when a model is imported: the input sizes a
// checkpoint is converted at, and the message a cancelled job rejects with (method.md §1 models).

/** Input sizes the Models panel offers for conversion, px (DINO's patch 8 and 16 divide them all). */
export const CONVERSION_INPUT_SIZES_PX = [224, 320, 480] as const;

/** Message of the Error a model job rejects with when cancel() stopped it. */
export const CANCELLED = 'cancelled';
