import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, type ReactNode, useId } from 'react';
import { useParams } from 'react-router';
import {
  ARTIFACT_TYPES,
  type Artifact,
  type ArtifactCost,
  type ArtifactDetails,
  type ArtifactType,
  ASPECTS,
  type AuditEntry,
  api,
  apiResponse,
  type ExplainedRating,
  formatBytes,
  type LineageGraph,
} from '../api';
import { DownloadButton } from '../components/download-button';
import { LineagePicture } from '../components/lineage-graph';
import { Page } from '../components/page';
import { RatingBars } from '../components/rating';
import { ScrollArea } from '../components/scroll-area';
import { ErrorMessage, Loading } from '../components/status';
import { useSession } from '../session';
import { MonitorSection, SensitiveDownloadsSection, sensitiveDownloadsKey } from './artifact-sensitive';
import { NotFoundPage } from './not-found';

export default function ArtifactPage() {
  const { type, id = '' } = useParams();
  if (!ARTIFACT_TYPES.includes(type as ArtifactType)) return <NotFoundPage />;
  return <ArtifactView type={type as ArtifactType} id={id} />;
}

function ArtifactView({ type, id }: { type: ArtifactType; id: string }) {
  const session = useSession();
  const base = `/artifact/${type}/${encodeURIComponent(id)}`;
  const artifact = useQuery({
    queryKey: ['artifact', type, id],
    queryFn: ({ signal }) => api<Artifact>(`/artifacts/${type}/${encodeURIComponent(id)}`, { signal }),
  });
  const details = useQuery({
    queryKey: ['details', type, id],
    queryFn: ({ signal }) => api<ArtifactDetails>(`${base}/details`, { signal }),
  });
  // The page appears whole once its facts are in: nothing below the heading moves as they arrive.
  if (artifact.isError || details.isError) {
    return (
      <Page title="Artifact not available">
        <ErrorMessage title="This artifact cannot be shown" error={artifact.error ?? details.error} />
      </Page>
    );
  }
  if (!artifact.data || !details.data) {
    return (
      <Page title="Artifact">
        <Loading label="Loading the artifact" minHeight="100vh" />
      </Page>
    );
  }
  return (
    <Page title={artifact.data.metadata.name}>
      <Section title="Overview">
        <Overview artifact={artifact.data} details={details.data} />
      </Section>
      {type === 'model' && <RatingSection id={id} />}
      {type === 'model' && <LineageSection id={id} />}
      <CostSection base={base} />
      {type === 'model' && <LicenseSection id={id} />}
      <DownloadSection type={type} id={id} name={artifact.data.metadata.name} details={details.data} />
      {type === 'model' && session?.isAdmin && <MonitorSection id={id} />}
      {type === 'model' && (session?.isAdmin || session?.name === details.data.created_by) && (
        <SensitiveDownloadsSection id={id} />
      )}
      <AuditSection base={base} />
    </Page>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  const id = useId();
  return (
    <section aria-labelledby={id} className="panel">
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}

function Overview({ artifact, details }: { artifact: Artifact; details: ArtifactDetails }) {
  const rows: [string, ReactNode][] = [
    ['Type', artifact.metadata.type],
    ['Version', details.version ?? 'none'],
    ['Source', <SourceLink key="source" url={artifact.data.url} />],
    ['Size', `${formatBytes(details.size_bytes)} (${details.file_count} files)`],
    ['Added by', details.created_by],
    ['Added', new Date(details.created_at).toLocaleString()],
    ['Updated', new Date(details.updated_at).toLocaleString()],
    ['Id', <code key="id">{artifact.metadata.id}</code>],
    [
      'SHA-256',
      <code key="sha" className="wrap">
        {details.sha256}
      </code>,
    ],
  ];
  return (
    <dl className="facts">
      {rows.map(([term, value]) => (
        <div key={term}>
          <dt>{term}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

function SourceLink({ url }: { url: string }) {
  // Uploaded packages have an internal source; only web addresses become links.
  return /^https?:\/\//.test(url) ? (
    <a href={url} rel="noreferrer noopener">
      {url}
    </a>
  ) : (
    <span className="wrap">{url}</span>
  );
}

function RatingSection({ id }: { id: string }) {
  const rating = useQuery({
    queryKey: ['rating', id],
    queryFn: ({ signal }) =>
      api<ExplainedRating>(`/artifact/model/${encodeURIComponent(id)}/rate`, {
        query: { explain: 'true' },
        signal,
      }),
  });
  return (
    <Section title="Rating">
      {rating.data ? (
        <RatingBars rating={rating.data} />
      ) : rating.isError ? (
        <ErrorMessage title="The rating could not be computed" error={rating.error} />
      ) : (
        // About the height of the eleven metrics, so that what follows starts below the fold.
        <Loading label="Rating the model (the first time can take a while)" minHeight="50rem" />
      )}
    </Section>
  );
}

function LineageSection({ id }: { id: string }) {
  const lineage = useQuery({
    queryKey: ['lineage', id],
    queryFn: ({ signal }) =>
      api<LineageGraph>(`/artifact/model/${encodeURIComponent(id)}/lineage`, { signal }),
  });
  return (
    <Section title="Lineage">
      {lineage.data ? (
        <LineagePicture graph={lineage.data} selfId={id} />
      ) : lineage.isError ? (
        <ErrorMessage title="The lineage is not available" error={lineage.error} />
      ) : (
        <Loading label="Loading the lineage" minHeight="10rem" />
      )}
    </Section>
  );
}

function CostSection({ base }: { base: string }) {
  const cost = useQuery({
    queryKey: ['cost', base],
    queryFn: ({ signal }) => api<ArtifactCost>(`${base}/cost`, { query: { dependency: 'true' }, signal }),
  });
  const self = base.split('/').at(-1) ?? '';
  const own = cost.data?.[decodeURIComponent(self)];
  const count = Object.keys(cost.data ?? {}).length;
  // Laid out the same while loading (values pending), so the answer moves nothing.
  return (
    <Section title="Download cost">
      {cost.isError ? (
        <ErrorMessage title="The cost is not available" error={cost.error} />
      ) : (
        <dl className="facts" aria-busy={!own}>
          <div>
            <dt>This artifact alone</dt>
            <dd>{own ? megabytes(own.standalone_cost ?? own.total_cost) : '…'}</dd>
          </div>
          <div>
            <dt>With everything it depends on</dt>
            <dd>{own ? `${megabytes(own.total_cost)} (${count} artifact${count === 1 ? '' : 's'})` : '…'}</dd>
          </div>
        </dl>
      )}
    </Section>
  );
}

function megabytes(mb: number): string {
  return `${mb.toFixed(mb < 1 ? 3 : 1)} MB`;
}

function LicenseSection({ id }: { id: string }) {
  const inputId = useId();
  const check = useMutation({
    mutationFn: async (githubUrl: string) => {
      const response = await apiResponse(`/artifact/model/${encodeURIComponent(id)}/license-check`, {
        method: 'POST',
        body: { github_url: githubUrl },
      });
      return {
        compatible: (await response.json()) as boolean,
        reason: response.headers.get('x-license-reason') ?? '',
      };
    },
  });
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    check.mutate(String(new FormData(event.currentTarget).get('github_url') ?? ''));
  }
  return (
    <Section title="License check">
      <form className="inline-form" onSubmit={submit}>
        <div className="field grow">
          <label htmlFor={inputId}>Your project's GitHub repository</label>
          <input
            id={inputId}
            name="github_url"
            type="url"
            required
            placeholder="https://github.com/org/repo"
          />
        </div>
        <div className="actions">
          <button type="submit" disabled={check.isPending}>
            {check.isPending ? 'Checking…' : 'Check license'}
          </button>
        </div>
      </form>
      <div aria-live="polite">
        {check.data && (
          <div className={check.data.compatible ? 'verdict ok' : 'verdict refused'}>
            <p>
              <strong>{check.data.compatible ? 'Compatible' : 'Not compatible'}</strong> for fine-tuning and
              inference.
            </p>
            <p>{check.data.reason}</p>
          </div>
        )}
      </div>
      {check.isError && <ErrorMessage title="The license check failed" error={check.error} />}
    </Section>
  );
}

function DownloadSection(props: { type: ArtifactType; id: string; name: string; details: ArtifactDetails }) {
  const session = useSession();
  const queryClient = useQueryClient();
  const url = `/download/${props.type}/${encodeURIComponent(props.id)}`;
  // Every attempt, allowed or refused, is a new line in the audit trail or the download history.
  const onSettled = () => {
    queryClient.invalidateQueries({ queryKey: ['audit'] });
    queryClient.invalidateQueries({ queryKey: [sensitiveDownloadsKey(props.id)] });
  };
  return (
    <Section title="Download">
      {!session?.canDownload ? (
        <p>You do not have the download permission.</p>
      ) : (
        <ul className="download-list">
          <li>
            <DownloadButton
              url={url}
              label="the full package"
              fileName={`${props.name}.zip`}
              onSettled={onSettled}
            />
            <span className="muted"> {formatBytes(props.details.size_bytes)} zip</span>
          </li>
          {ASPECTS.filter((aspect) => props.details.aspects[aspect]).map((aspect) => (
            <li key={aspect}>
              <DownloadButton
                url={`${url}?aspect=${aspect}`}
                label={`${aspect} only`}
                fileName={`${props.name}-${aspect}.zip`}
                onSettled={onSettled}
              />
              <span className="muted"> {formatBytes(props.details.aspects[aspect] ?? 0)} uncompressed</span>
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}

function AuditSection({ base }: { base: string }) {
  const audit = useQuery({
    queryKey: ['audit', base],
    queryFn: ({ signal }) => api<AuditEntry[]>(`${base}/audit`, { signal }),
  });
  return (
    <Section title="Audit trail">
      {audit.data ? (
        <ScrollArea className="table-scroll" label="Audit trail table">
          <table>
            <caption className="visually-hidden">Who did what with this artifact, newest first</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">What</th>
              </tr>
            </thead>
            <tbody>
              {audit.data.map((entry, index) => (
                // Entries have no id; their order is the trail's.
                // biome-ignore lint/suspicious/noArrayIndexKey: see above
                <tr key={index}>
                  <td>{new Date(entry.date).toLocaleString()}</td>
                  <td>
                    {entry.user.name}
                    {entry.user.is_admin ? ' (admin)' : ''}
                  </td>
                  <td>{entry.action}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollArea>
      ) : audit.isError ? (
        <ErrorMessage title="The audit trail is not available" error={audit.error} />
      ) : (
        <Loading label="Loading the audit trail" minHeight="6rem" />
      )}
    </Section>
  );
}
