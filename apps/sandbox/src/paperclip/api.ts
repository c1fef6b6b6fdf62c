/**
 * A small typed client for the Paperclip HTTP API routes the e2e suite uses (read from the installed server's
 * `dist/routes/*.js`). In `authenticated` mode it sends the instance admin's session cookie (and the Origin Better
 * Auth checks); in `local_trusted` mode every loopback request acts as the implicit `local-board` admin.
 */
import { PaperclipApiError } from "./errors.js";

export interface Company {
  readonly id: string;
  readonly name: string;
  readonly issuePrefix: string;
}

export interface Agent {
  readonly id: string;
  readonly companyId: string;
  readonly name: string;
  readonly adapterType: string;
  readonly adapterConfig: Record<string, unknown>;
  readonly status: string;
}

export interface AdapterInfo {
  readonly type: string;
  readonly source: "builtin" | "external";
  readonly loaded: boolean;
  readonly disabled: boolean;
  readonly modelsCount: number;
  readonly packageName?: string;
  readonly isLocalPath?: boolean;
  readonly version?: string;
  readonly capabilities: Record<string, unknown>;
}

export interface InstalledAdapter {
  readonly type: string;
  readonly packageName: string;
  readonly version?: string;
  readonly installedAt: string;
  readonly requiresRestart: boolean;
}

export interface ConfigFieldSchema {
  readonly key: string;
  readonly label: string;
  readonly type: string;
  readonly required?: boolean;
}

export interface AdapterConfigSchema {
  readonly fields: readonly ConfigFieldSchema[];
}

export interface Issue {
  readonly id: string;
  readonly identifier?: string;
  readonly title: string;
  readonly status: string;
  readonly assigneeAgentId: string | null;
}

export interface IssueComment {
  readonly id: string;
  readonly body: string;
  readonly authorAgentId: string | null;
  readonly authorUserId?: string | null;
  readonly createdByRunId?: string | null;
}

export type RunStatus = "queued" | "running" | "succeeded" | "failed" | "cancelled" | "timed_out" | string;

export interface HeartbeatRun {
  readonly id: string;
  readonly companyId: string;
  readonly agentId: string;
  readonly status: RunStatus;
  readonly error: string | null;
  readonly errorCode: string | null;
  readonly exitCode: number | null;
  readonly usageJson: Record<string, unknown> | null;
  readonly resultJson: Record<string, unknown> | null;
  readonly sessionIdBefore: string | null;
  readonly sessionIdAfter: string | null;
  readonly logRef: string | null;
  readonly logBytes: number | null;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
}

export interface RunEvent {
  readonly seq: number;
  readonly eventType: string;
  readonly stream: string | null;
  readonly message: string | null;
  readonly payload: Record<string, unknown> | null;
}

/** One NDJSON record of a run log, as Paperclip stores and serves it. */
export interface RunLogRecord {
  readonly ts: string;
  readonly stream: "stdout" | "stderr" | "system";
  readonly chunk: string;
  readonly seq?: number;
}

/** One row of `GET /api/companies/:id/costs/by-agent` (sums over the agent's cost events). */
export interface AgentCosts {
  readonly agentId: string;
  readonly agentName: string | null;
  readonly costCents: number;
  readonly inputTokens: number;
  readonly cachedInputTokens: number;
  readonly outputTokens: number;
  readonly apiRunCount: number;
  readonly subscriptionRunCount: number;
}

export interface TaskSession {
  readonly taskKey: string;
  readonly sessionDisplayId: string | null;
  readonly sessionParamsJson: Record<string, unknown> | null;
  readonly lastRunId: string | null;
}

export const TERMINAL_RUN_STATUSES: ReadonlySet<string> = new Set([
  "succeeded",
  "failed",
  "cancelled",
  "timed_out",
]);

export class PaperclipApi {
  /** `cookie`: the session of a signed-in user (authenticated mode); none in local_trusted mode. */
  constructor(
    readonly baseUrl: string,
    private readonly cookie?: string,
  ) {}

  health(): Promise<{ status: string; version: string; deploymentMode: string }> {
    return this.request("GET", "/api/health");
  }

  createCompany(name: string): Promise<Company> {
    return this.request("POST", "/api/companies", { name });
  }

  createAgent(
    companyId: string,
    input: { name: string; adapterType: string; adapterConfig: Record<string, unknown>; role?: string },
  ): Promise<Agent> {
    return this.request("POST", `/api/companies/${companyId}/agents`, input);
  }

  /** An issue assigned to `assigneeAgentId` (Paperclip wakes the assignee). */
  createIssue(
    companyId: string,
    input: { title: string; description?: string; assigneeAgentId?: string; status?: string },
  ): Promise<Issue> {
    return this.request("POST", `/api/companies/${companyId}/issues`, input);
  }

  getIssue(issueId: string): Promise<Issue> {
    return this.request("GET", `/api/issues/${issueId}`);
  }

  issueComments(issueId: string): Promise<IssueComment[]> {
    return this.request("GET", `/api/issues/${issueId}/comments`);
  }

  /** What Paperclip's skills screen shows for an agent (the adapter's listSkills). */
  agentSkills(agentId: string): Promise<Record<string, unknown>> {
    return this.request("GET", `/api/agents/${agentId}/skills`);
  }

  updateAgent(agentId: string, patch: { adapterConfig?: Record<string, unknown> }): Promise<Agent> {
    return this.request("PATCH", `/api/agents/${agentId}`, patch);
  }

  /** Wake an agent on demand; resolves to the queued run. */
  wakeAgent(agentId: string, reason: string): Promise<HeartbeatRun> {
    return this.request("POST", `/api/agents/${agentId}/wakeup`, { source: "on_demand", reason });
  }

  getRun(runId: string): Promise<HeartbeatRun> {
    return this.request("GET", `/api/heartbeat-runs/${runId}`);
  }

  listRuns(companyId: string, agentId: string): Promise<HeartbeatRun[]> {
    return this.request("GET", `/api/companies/${companyId}/heartbeat-runs?agentId=${agentId}`);
  }

  runEvents(runId: string): Promise<RunEvent[]> {
    return this.request("GET", `/api/heartbeat-runs/${runId}/events?limit=1000`);
  }

  /** The run log, parsed from the NDJSON `content` Paperclip serves. */
  async runLog(runId: string): Promise<RunLogRecord[]> {
    const result = await this.request<{ content: string }>(
      "GET",
      `/api/heartbeat-runs/${runId}/log?limitBytes=4194304`,
    );
    return result.content
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => JSON.parse(line) as RunLogRecord);
  }

  taskSessions(agentId: string): Promise<TaskSession[]> {
    return this.request("GET", `/api/agents/${agentId}/task-sessions`);
  }

  runtimeState(agentId: string): Promise<Record<string, unknown>> {
    return this.request("GET", `/api/agents/${agentId}/runtime-state`);
  }

  costsByAgent(companyId: string): Promise<AgentCosts[]> {
    return this.request("GET", `/api/companies/${companyId}/costs/by-agent`);
  }

  listAdapters(): Promise<AdapterInfo[]> {
    return this.request("GET", "/api/adapters");
  }

  /** `POST /api/adapters/install` with a local package directory (Paperclip loads it in place, no copy). */
  installLocalAdapter(packageDir: string): Promise<InstalledAdapter> {
    return this.request("POST", "/api/adapters/install", { packageName: packageDir, isLocalPath: true });
  }

  adapterConfigSchema(type: string): Promise<AdapterConfigSchema> {
    return this.request("GET", `/api/adapters/${type}/config-schema`);
  }

  /** The raw UI parser source and the content type it was served with. */
  async adapterUiParser(type: string): Promise<{ contentType: string; source: string }> {
    const response = await this.fetch("GET", `/api/adapters/${type}/ui-parser.js`);
    const source = await response.text();
    if (!response.ok)
      throw new PaperclipApiError("GET", `/api/adapters/${type}/ui-parser.js`, response.status, source);
    return { contentType: response.headers.get("content-type") ?? "", source };
  }

  /** Poll a run until it reaches a terminal status (Paperclip offers no long-poll for one run). */
  async waitForRun(runId: string, timeoutMs: number): Promise<HeartbeatRun> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const run = await this.getRun(runId);
      if (TERMINAL_RUN_STATUSES.has(run.status)) return run;
      if (Date.now() > deadline) {
        throw new Error(
          `paperclip: run ${runId} still ${run.status} after ${Math.round(timeoutMs / 1000)} s`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.fetch(method, path, body);
    const text = await response.text();
    if (!response.ok) throw new PaperclipApiError(method, path, response.status, text);
    return JSON.parse(text) as T;
  }

  private fetch(method: string, path: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers["content-type"] = "application/json";
    if (this.cookie) Object.assign(headers, { cookie: this.cookie, origin: this.baseUrl });
    return fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  }
}
