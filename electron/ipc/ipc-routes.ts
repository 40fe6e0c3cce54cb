// The main process's IPC routes: one per operation plus the shell channels, each checking its sender and parsing its input.
import { z } from 'zod';
import { api, type ApiName } from '../../shared/api/api';
import {
  apiChannel,
  PICK_PURPOSES,
  REPORT_FORMATS,
  SHELL_CHANNELS,
  type PickPurpose,
  type SaveReportRequest,
} from '../../shared/api/desktop-bridge';
import { err, ok, toErrorInfo, type Result } from '../../shared/errors';
import type { Handlers } from '../core/handlers';
import { isTrustedSender, type FrameLike } from './sender-check';

/** The parts of Electron's IpcMainInvokeEvent a route reads. */
export interface IpcEventLike {
  readonly senderFrame: FrameLike | null;
}

/** What only the desktop shell can do, behind the shell channels. */
export interface ShellActions {
  pickPath(purpose: PickPurpose): Promise<string | null>;
  /** Shows a save dialog and writes the report there; the saved path, or null when cancelled. */
  saveReport(report: SaveReportRequest): Promise<string | null>;
  /** Opens an allowlisted link; refuses (throws ReproError) anything else. */
  openExternal(url: string): Promise<void>;
}

/** One IPC route: the event and the arguments in, a Result out; never throws. */
export type IpcRoute = (event: IpcEventLike, ...args: unknown[]) => Promise<Result<unknown>>;

const PickPathInput = z.enum(PICK_PURPOSES as [PickPurpose, ...PickPurpose[]]);
const SaveReportInput = z
  .object({
    suggestedName: z
      .string()
      .min(1)
      .max(255)
      .regex(/^[^/\\\0]+$/, 'a file name, not a path'),
    format: z.enum(REPORT_FORMATS),
    content: z.string().max(256 * 1024 * 1024),
  })
  .strict();
const ExternalInput = z.string().url().max(2048);

/** Refuses everything but the app's own main frame, then runs the route. */
function guarded(channel: string, run: (args: unknown[]) => Promise<Result<unknown>>): IpcRoute {
  return async (event, ...args) => {
    if (!isTrustedSender(event?.senderFrame)) {
      return err({
        code: 'FORBIDDEN',
        message: `IPC call on ${channel} refused: it did not come from the app's own page`,
        hint: 'Only the reproscope window may call the core.',
      });
    }
    try {
      return await run(args);
    } catch (e) {
      return err(toErrorInfo(e));
    }
  };
}

function parsed<T>(
  schema: z.ZodType<T>,
  value: unknown,
  channel: string,
  then: (v: T) => Promise<Result<unknown>>,
): Promise<Result<unknown>> {
  const r = schema.safeParse(value);
  if (!r.success)
    return Promise.resolve(
      err({
        code: 'INVALID_INPUT',
        message: `invalid input for ${channel}: ${r.error.issues[0]?.message ?? 'malformed'}`,
      }),
    );
  return then(r.data);
}

/**
 * Every IPC channel with its route: one per operation of the contract (input parsed by the
 * handler against `api`), plus the shell's dialogs and external links. Each checks its sender first.
 */
export function createIpcRoutes(handlers: Handlers, shell: ShellActions): Map<string, IpcRoute> {
  const routes = new Map<string, IpcRoute>();
  for (const name of Object.keys(api) as ApiName[]) {
    const channel = apiChannel(name);
    routes.set(
      channel,
      guarded(channel, (args) => handlers[name](args[0])),
    );
  }
  routes.set(
    SHELL_CHANNELS.pickPath,
    guarded(SHELL_CHANNELS.pickPath, (args) =>
      parsed(PickPathInput, args[0], SHELL_CHANNELS.pickPath, async (p) => ok(await shell.pickPath(p))),
    ),
  );
  routes.set(
    SHELL_CHANNELS.saveReport,
    guarded(SHELL_CHANNELS.saveReport, (args) =>
      parsed(SaveReportInput, args[0], SHELL_CHANNELS.saveReport, async (r) => ok(await shell.saveReport(r))),
    ),
  );
  routes.set(
    SHELL_CHANNELS.openExternal,
    guarded(SHELL_CHANNELS.openExternal, (args) =>
      parsed(ExternalInput, args[0], SHELL_CHANNELS.openExternal, async (u) => {
        await shell.openExternal(u);
        return ok(null);
      }),
    ),
  );
  return routes;
}
