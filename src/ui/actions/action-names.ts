// Every action the page offers, by name: a closed list, so a typo in perform('…') or in a button is a
// type error, and the registry knows when an action is missing.
export const ACTION_NAMES = [
  'view.semantic', 'view.instance', 'view.panoptic', 'view.outlines', 'view.colourBy', 'view.opacityUp', 'view.opacityDown',
  'view.features', 'view.groundTruth',
  'nav.next', 'nav.prev',
  'edit.undo', 'edit.redo',
  'clusters.rename', 'clusters.recolour', 'clusters.toggleHidden', 'clusters.merge',
  'session.recluster', 'session.cancel', 'session.export', 'session.proposals',
  'help.shortcuts',
  'adapt.open', 'adapt.train', 'adapt.cancel', 'adapt.toggleSource', 'adapt.exportHead', 'adapt.removeHead',
  'semantic.train', 'semantic.cancel',
  'select.whole', 'select.parts', 'select.clear',
  'labels.mode', 'labels.leave', 'labels.brush', 'labels.eraser', 'labels.fill', 'labels.smaller', 'labels.bigger',
  'labels.nextClass', 'labels.prevClass', 'labels.toggleShow', 'labels.addClass', 'labels.removeClass', 'labels.clear',
  'labels.groundTruth', 'labels.groundTruthAll',
] as const;

export type ActionName = (typeof ACTION_NAMES)[number];

/**
 * Keys that several actions bind on purpose, each enabled in its own mode (actionForKey runs the
 * enabled one): Escape stops processing, adaptation or semantic training, or leaves Label mode.
 * Any other key bound twice is refused when the second action registers.
 */
export const SHARED_KEYS: readonly string[] = ['Escape'];
