/** What a signed-in caller may do. Admins may do everything. */
export interface Actor {
  name: string;
  isAdmin: boolean;
  canUpload: boolean;
  canSearch: boolean;
  canDownload: boolean;
  /** The token this request came with (a password change keeps it and revokes the others). */
  tokenId?: string;
}

export type Permission = 'upload' | 'search' | 'download' | 'admin';

export function allows(actor: Actor, permission: Permission): boolean {
  if (actor.isAdmin) return true;
  switch (permission) {
    case 'upload':
      return actor.canUpload;
    case 'search':
      return actor.canSearch;
    case 'download':
      return actor.canDownload;
    case 'admin':
      return false;
  }
}
