// The page shell: header with the backend badge, the drop zone and gallery on the left, the viewer
// on the right; each panel behind its own error boundary.
import { useEffect } from 'react';
import { ErrorBoundary } from './ErrorBoundary';
import { DropZone } from './features/drop/DropZone';
import { Gallery } from './features/gallery/Gallery';
import { Messages } from './features/messages/Messages';
import { BackendBadge } from './features/status/BackendBadge';
import { Viewer } from './features/viewer/FeatureView';
import { restoreSession, startSession } from './processing/session';

export function App() {
  useEffect(() => {
    void startSession();
    void restoreSession();
  }, []);
  return (
    <div className="app">
      <header>
        <h1>U2Seg · unsupervised segmentation</h1>
        <BackendBadge />
      </header>
      <Messages />
      <main>
        <aside>
          <ErrorBoundary label="photo list">
            <DropZone />
            <Gallery />
          </ErrorBoundary>
        </aside>
        <section>
          <ErrorBoundary label="viewer">
            <Viewer />
          </ErrorBoundary>
        </section>
      </main>
    </div>
  );
}
