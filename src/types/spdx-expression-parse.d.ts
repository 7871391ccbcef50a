/**
 * Types for spdx-expression-parse 5 (DefinitelyTyped stops at 4; the API is the same, and 5 also
 * accepts an exception after a LicenseRef). Kept here so the types follow the runtime major.
 */
declare module 'spdx-expression-parse' {
  function parse(source: string): parse.Info;

  namespace parse {
    type Info = LicenseInfo | ConjunctionInfo;

    interface LicenseInfo {
      license: string;
      plus?: true;
      exception?: string;
    }

    interface ConjunctionInfo {
      conjunction: 'and' | 'or';
      left: Info;
      right: Info;
    }
  }

  export = parse;
}
