import { SafetyRefusal } from '../../errors.js';
import type {
  CommandResult,
  ConfirmRequest,
  InputRequest,
  IoHost,
  IoMessage,
  ProgressHandle,
  SelectRequest,
  TypedConfirmRequest,
} from '../io-host.js';
import type { Prompter } from '../prompter.js';

export interface HostSettings {
  verbose: boolean;
  debug: boolean;
  /** `--yes`: answers yes/no confirmations. */
  yes: boolean;
  /** `--confirm-account`: with `--yes`, the account ID that destructive confirmations require. */
  confirmAccount?: string;
}

/**
 * What every host shares: which messages are shown, and how `--yes` / `--confirm-account` answer
 * confirmations. Subclasses decide how messages, progress and results look.
 */
export abstract class BaseIoHost implements IoHost {
  constructor(
    protected readonly settings: HostSettings,
    protected readonly prompter: Prompter,
  ) {}

  notify(message: IoMessage): void {
    if (message.level === 'verbose' && !this.settings.verbose && !this.settings.debug) return;
    if (message.level === 'debug' && !this.settings.debug) return;
    this.writeMessage(message);
  }

  async confirm(request: ConfirmRequest): Promise<boolean> {
    if (this.settings.yes) return true;
    return this.prompter.confirm(request);
  }

  async confirmTyped(request: TypedConfirmRequest): Promise<boolean> {
    if (this.settings.yes) {
      // `--yes` alone never confirms a destructive step: the account must be named too.
      if (this.settings.confirmAccount === request.expected) return true;
      throw new SafetyRefusal(
        'CONFIRM_ACCOUNT_MISMATCH',
        this.settings.confirmAccount
          ? `--confirm-account ${this.settings.confirmAccount} does not match the account ${request.expected}.`
          : `This step is destructive: --yes needs --confirm-account ${request.expected}.`,
        `Re-run with --yes --confirm-account ${request.expected} if you mean this account.`,
      );
    }
    const typed = await this.prompter.typed(request);
    return typed.trim() === request.expected;
  }

  async select<T>(request: SelectRequest<T>): Promise<T> {
    if (this.settings.yes && request.defaultValue !== undefined) return request.defaultValue;
    return this.prompter.select(request);
  }

  input(request: InputRequest): Promise<string> {
    return this.prompter.input(request);
  }

  abstract startProgress(code: string, text: string): ProgressHandle;
  abstract result<T>(result: CommandResult<T>): void;
  abstract show<T>(block: CommandResult<T>): void;
  abstract stream<T>(record: CommandResult<T>): void;
  protected abstract writeMessage(message: IoMessage): void;
}
