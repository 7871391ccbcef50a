import { Type } from '@sinclair/typebox';
import { SECURITY_ACTIONS } from '../domain/security-event.js';
import { User, UserAuthenticationInfo } from './schemas.js';

/** The contract's user-management schemas, and the extensions' bodies. */

export const UserPermissions = Type.Object(
  {
    can_upload: Type.Optional(Type.Boolean({ description: 'Permission to upload new artifacts.' })),
    can_search: Type.Optional(Type.Boolean({ description: 'Permission to search and enumerate artifacts.' })),
    can_download: Type.Optional(Type.Boolean({ description: 'Permission to download artifacts.' })),
  },
  { $id: 'UserPermissions', description: 'Fine-grained permission flags for a user.' },
);

export const UserRegistrationRequest = Type.Object(
  {
    user: Type.Ref(User),
    secret: Type.Ref(UserAuthenticationInfo),
    permissions: Type.Optional(Type.Ref(UserPermissions)),
  },
  {
    $id: 'UserRegistrationRequest',
    description:
      'Request payload for registering a new user. Without permissions an admin gets every permission and a user none.',
  },
);

export const UserInfoResponse = Type.Object(
  // Optional only to mirror the contract's schema; the registry always sends both.
  { user: Type.Optional(Type.Ref(User)), permissions: Type.Optional(Type.Ref(UserPermissions)) },
  { $id: 'UserInfoResponse', description: 'Response containing user information and permissions.' },
);

export const PermissionChangeRequest = Type.Object(
  {
    is_admin: Type.Optional(Type.Boolean()),
    can_upload: Type.Optional(Type.Boolean()),
    can_search: Type.Optional(Type.Boolean()),
    can_download: Type.Optional(Type.Boolean()),
  },
  {
    $id: 'PermissionChangeRequest',
    additionalProperties: false,
    minProperties: 1,
    description: 'Flags to change; omitted flags keep their value.',
  },
);

export const PasswordChangeRequest = Type.Object(
  {
    old_password: Type.Optional(
      Type.String({ maxLength: 1024, description: 'Required when changing your own.' }),
    ),
    new_password: Type.String({ maxLength: 1024 }),
  },
  { $id: 'PasswordChangeRequest' },
);

export const SecurityEventEntry = Type.Object(
  {
    date: Type.String({ format: 'date-time' }),
    action: Type.Union(SECURITY_ACTIONS.map((a) => Type.Literal(a))),
    outcome: Type.String({ description: 'success, failure (wrong credentials) or throttled (back-off).' }),
    actor: Type.Union([Type.String(), Type.Null()]),
    subject: Type.Union([Type.String(), Type.Null()]),
    address: Type.Union([Type.String(), Type.Null()]),
    detail: Type.Union([Type.String(), Type.Null()]),
  },
  { $id: 'SecurityEventEntry' },
);

export const userSchemas = [
  UserPermissions,
  UserRegistrationRequest,
  UserInfoResponse,
  PermissionChangeRequest,
  PasswordChangeRequest,
  SecurityEventEntry,
];
