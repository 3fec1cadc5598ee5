// The page shell: header (backend badge, progress), photos and models on the left, the viewer in
// the middle, the cluster legend on the right; each panel behind its own error boundary.
import { useEffect } from 'react';
import { registerAppActions } from './actions/app-actions';
import { handleKeyDown } from './actions/registry';
import { ErrorBoundary } from './ErrorBoundary';
import { AdaptDialog } from './features/adapt/AdaptDialog';
import { AdaptPanel } from './features/adapt/AdaptPanel';
import { DropZone } from './features/drop/DropZone';
import { ExportDialog } from './features/export/ExportDialog';
import { Gallery } from './features/gallery/Gallery';
import { Legend } from './features/legend/Legend';
import { SemanticPanel } from './features/semantic/SemanticPanel';
import { Messages } from './features/messages/Messages';
import { ModelsPanel } from './features/models/ModelsPanel';
import { ProposalsPanel } from './features/proposals/ProposalsPanel';
import { BackendBadge } from './features/status/BackendBadge';
import { HelpSheet } from './features/status/HelpSheet';
import { ProgressBar } from './features/status/ProgressBar';
import { LabelledCount } from './features/labelling/LabelledCount';
import { registerLabellingActions } from './features/labelling/labelling-actions';
import { Viewer } from './features/viewer/Viewer';
import { restoreSession } from './processing/ingest';
import { startSession } from './processing/session';

registerAppActions();
// After the app's actions: labelling extends their undo/redo to brush strokes.
registerLabellingActions();

export function App() {
  useEffect(() => {
    void startSession();
    void restoreSession();
    window.addEventListener('keydown', handleKeyDown);
    return () => window.removeEventListener('keydown', handleKeyDown);
  }, []);
  return (
    <div className="app">
      <header>
        <h1>U2Seg · unsupervised segmentation</h1>
        <ProgressBar />
        <BackendBadge />
      </header>
      <Messages />
      <main>
        <aside>
          <ErrorBoundary label="photo list">
            <DropZone />
            <LabelledCount />
            <Gallery />
          </ErrorBoundary>
          <ErrorBoundary label="models">
            <ModelsPanel />
          </ErrorBoundary>
          <ErrorBoundary label="objects">
            <ProposalsPanel />
          </ErrorBoundary>
        </aside>
        <section>
          <ErrorBoundary label="viewer">
            <Viewer />
          </ErrorBoundary>
        </section>
        <aside className="right">
          <ErrorBoundary label="semantic head">
            <SemanticPanel />
          </ErrorBoundary>
          <ErrorBoundary label="adaptation">
            <AdaptPanel />
          </ErrorBoundary>
          <ErrorBoundary label="legend">
            <Legend />
          </ErrorBoundary>
        </aside>
      </main>
      <ErrorBoundary label="dialog">
        <ExportDialog />
        <AdaptDialog />
        <HelpSheet />
      </ErrorBoundary>
    </div>
  );
}
