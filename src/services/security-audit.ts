import type { SecurityEvent } from '../domain/security-event.js';
import type { MetadataStore, Page, PageRequest } from '../storage/metadata/metadata-store.js';

/** The security audit trail: every sign-in and every change to users, kept across resets. */
export class SecurityAudit {
  constructor(private readonly store: MetadataStore) {}

  /** Written before the caller answers: an action the trail cannot record does not happen. */
  record(event: Pick<SecurityEvent, 'action' | 'outcome' | 'actor'> & Partial<SecurityEvent>): Promise<void> {
    return this.store.appendSecurityEvent({
      date: new Date(),
      subject: null,
      detail: null,
      address: null,
      ...event,
    });
  }

  list(page: PageRequest, subject?: string): Promise<Page<SecurityEvent>> {
    return this.store.listSecurityEvents(page, subject);
  }
}
