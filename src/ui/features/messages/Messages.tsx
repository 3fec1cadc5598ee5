// Readable messages for everything that went wrong, each dismissible; the rest of the page keeps working.
import { useApp } from '../../state/store';

export function Messages() {
  const messages = useApp((s) => s.messages);
  const dismiss = useApp((s) => s.dismiss);
  const backend = useApp((s) => s.backend);
  return (
    <div className="messages" aria-live="polite">
      {backend.status === 'error' && (
        <div role="alert" className="message message-error">
          The model could not be loaded: {backend.error}
        </div>
      )}
      {messages.map((m) => (
        <div key={m.id} role="alert" className={`message message-${m.level}`}>
          <span>{m.text}</span>
          <button aria-label="dismiss" onClick={() => dismiss(m.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
