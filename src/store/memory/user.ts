/** An account session of the memory store: the contract's User. */
import { StoreError } from '../errors.ts';
import type { AppendInput, AppendResult, Mailbox, MailboxInfo, MailboxStatus, OpenMailboxOptions, SpecialUse, User } from '../types.ts';
import type { MessageMeta } from '../../message/types.ts';
import { parseMessage } from '../../message/index.ts';
import { INBOX, normalizeMailboxName, parentNames } from '../../core/mailbox-name.ts';
import { flagBits, storableFlags } from '../shared/flags.ts';
import { countMessages } from '../shared/message-counts.ts';
import { assertMailboxName, assertNotUnderItself, mailboxNameToCreate, planSubtreeRename, validMailboxName } from '../shared/mailbox-names.ts';
import { checkNotEmpty } from '../shared/append-input.ts';
import { checkedSpecialUse } from '../shared/special-use.ts';
import { settle } from '../shared/settle.ts';
import { MemoryMailbox } from './mailbox.ts';
import type { AccountState, MailboxState, PreparedMessage, StoreContext } from './state.ts';

/** The memory store's User. Several Users (sessions) of one account share its state. */
export class MemoryUser implements User {
  readonly #ctx: StoreContext;
  readonly #account: AccountState;
  readonly #open = new Set<MemoryMailbox>();

  constructor(ctx: StoreContext, account: AccountState) {
    this.#ctx = ctx;
    this.#account = account;
  }

  get username(): string {
    return this.#account.name;
  }

  listMailboxes(): Promise<MailboxInfo[]> {
    return settle(() => [...this.#live().mailboxes.values()].map((box) => this.#ctx.info(this.#account, box)));
  }

  listSubscriptions(): Promise<string[]> {
    return settle(() => [...this.#live().subscriptions]);
  }

  createMailbox(name: string, options?: { specialUse?: readonly SpecialUse[] }): Promise<MailboxInfo> {
    return settle(() => {
      const account = this.#live();
      const canonical = mailboxNameToCreate(name);
      // RFC 6154 section 3: an attribute that cannot be set fails the CREATE, which then creates nothing.
      const specialUse = checkedSpecialUse(options?.specialUse);
      if (account.mailboxes.has(canonical)) throw new StoreError('exists', 'mailbox already exists');
      this.#createParents(canonical);
      const box = this.#ctx.newMailbox(canonical, specialUse);
      account.mailboxes.set(canonical, box);
      return this.#ctx.info(account, box);
    });
  }

  deleteMailbox(name: string): Promise<void> {
    return settle(() => {
      const account = this.#live();
      const canonical = normalizeMailboxName(name);
      if (canonical === INBOX) throw new StoreError('noPermission', 'INBOX cannot be deleted');
      const box = this.#box(canonical);
      // RFC 3501 section 6.3.4: the subscription stays; children stay too (store/types.ts).
      box.deleted = true;
      account.mailboxes.delete(canonical);
      this.#ctx.gone(account, box);
    });
  }

  renameMailbox(from: string, to: string): Promise<void> {
    return settle(() => {
      const account = this.#live();
      const source = normalizeMailboxName(from);
      const target = validMailboxName(to);
      const box = this.#box(source);
      if (account.mailboxes.has(target)) throw new StoreError('exists', 'target mailbox already exists');
      if (source === INBOX) {
        this.#renameInbox(box, target);
        return;
      }
      assertNotUnderItself(source, target);
      // The mailbox and its children, renamed together (RFC 3501 section 6.3.5). Check everything first.
      const moves = planSubtreeRename(account.mailboxes.values(), (box) => box.name, source, target, (n) => account.mailboxes.has(n));
      for (const move of moves) account.mailboxes.delete(move.item.name);
      for (const move of moves) {
        move.item.name = move.to;
        account.mailboxes.set(move.to, move.item);
      }
      // Subscriptions stay as they are (RFC 9051 section 6.3.6: RENAME does not update subscriptions; RFC
      // 3501 section 6.3.9: the server never removes a subscribed name by itself; Dovecot leaves them too).
      this.#createParents(target);
      // Sessions that had them selected must drop them (store/types.ts, 'gone').
      for (const move of moves) this.#ctx.gone(account, move.item);
    });
  }

  setSubscribed(name: string, subscribed: boolean): Promise<void> {
    return settle(() => {
      const account = this.#live();
      const canonical = normalizeMailboxName(name);
      if (!subscribed) {
        account.subscriptions.delete(canonical);
        return;
      }
      assertMailboxName(canonical);
      account.subscriptions.add(canonical);
    });
  }

  status(name: string): Promise<MailboxStatus> {
    return settle(() => {
      const box = this.#box(normalizeMailboxName(name));
      const n = countMessages([...box.messages.values()].map((m) => ({ ...flagBits(m.flags), size: m.content.length })));
      return {
        messages: n.messages,
        unseen: n.unseen,
        uidNext: box.uidNext,
        uidValidity: box.uidValidity,
        highestModseq: box.highestModseq,
        size: n.size,
        deleted: n.deleted,
        id: box.id,
      };
    });
  }

  append(name: string, messages: readonly AppendInput[]): Promise<AppendResult> {
    return settle(() => {
      const account = this.#live();
      const box = this.#box(normalizeMailboxName(name));
      // Validate and parse everything before the commit: all or nothing (RFC 3502).
      const prepared = messages.map((m): PreparedMessage => {
        checkNotEmpty(m.content);
        const internalDate = m.internalDate ?? new Date();
        if (Number.isNaN(internalDate.getTime())) throw new StoreError('invalid', 'invalid internal date');
        const content = Buffer.from(m.content); // the caller may reuse its buffer
        const meta: MessageMeta = m.meta ?? parseMessage(content);
        return { content, flags: storableFlags(m.flags ?? []), internalDate: new Date(internalDate.getTime()), meta };
      });
      const uids = this.#ctx.append(account, box, prepared);
      return { uidValidity: box.uidValidity, uids };
    });
  }

  openMailbox(name: string, options: OpenMailboxOptions): Promise<Mailbox> {
    return settle(() => {
      const account = this.#live();
      const box = this.#box(normalizeMailboxName(name));
      const mailbox = new MemoryMailbox(this.#ctx, account, box, options.readOnly, options.onChange, (m) => this.#open.delete(m));
      this.#open.add(mailbox);
      return mailbox;
    });
  }

  async close(): Promise<void> {
    await Promise.all([...this.#open].map((m) => m.close()));
  }

  /** INBOX rename (RFC 3501 section 6.3.5): messages move to a new mailbox, INBOX stays, empty; children stay. */
  #renameInbox(inbox: MailboxState, target: string): void {
    const account = this.#account;
    const box = this.#ctx.newMailbox(target);
    const messages = [...inbox.messages.values()];
    // The new mailbox is not linked yet: if append refuses, nothing changed.
    this.#ctx.append(
      account,
      box,
      messages.map((m) => ({ content: m.content, flags: m.flags, internalDate: m.internalDate, meta: m.meta, emailId: m.emailId, threadId: m.threadId })),
    );
    this.#createParents(target);
    account.mailboxes.set(target, box);
    this.#ctx.expunge(account, inbox, messages.map((m) => m.uid));
  }

  #createParents(name: string): void {
    for (const parent of parentNames(name)) {
      if (!this.#account.mailboxes.has(parent)) this.#account.mailboxes.set(parent, this.#ctx.newMailbox(parent));
    }
  }

  #box(canonical: string): MailboxState {
    const box = this.#live().mailboxes.get(canonical);
    if (!box) throw new StoreError('notFound', 'mailbox does not exist');
    return box;
  }

  #live(): AccountState {
    if (this.#account.deleted) throw new StoreError('notFound', 'account no longer exists');
    return this.#account;
  }
}
