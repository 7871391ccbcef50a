import type { ListedFile, TreeSummary } from './source.js';

/** Root files that configure a linter or formatter. */
const LINT_CONFIGS = new Set([
  '.eslintrc',
  '.eslintrc.js',
  '.eslintrc.cjs',
  '.eslintrc.json',
  '.eslintrc.yml',
  '.eslintrc.yaml',
  'eslint.config.js',
  'eslint.config.mjs',
  'eslint.config.cjs',
  'eslint.config.ts',
  'biome.json',
  'biome.jsonc',
  '.flake8',
  '.pylintrc',
  'pylintrc',
  'ruff.toml',
  '.ruff.toml',
  '.pre-commit-config.yaml',
  '.prettierrc',
  '.prettierrc.json',
  'tox.ini',
  '.golangci.yml',
  '.golangci.yaml',
  'rustfmt.toml',
  '.rustfmt.toml',
  'clippy.toml',
  '.clang-format',
  '.rubocop.yml',
]);
/** Root files that configure a static type checker. */
const TYPE_CONFIGS = new Set([
  'tsconfig.json',
  'jsconfig.json',
  'mypy.ini',
  '.mypy.ini',
  'pyrightconfig.json',
]);
/** Root files that make the project installable or buildable. */
const PACKAGING_FILES = new Set([
  'setup.py',
  'setup.cfg',
  'pyproject.toml',
  'requirements.txt',
  'environment.yml',
  'Pipfile',
  'package.json',
  'Cargo.toml',
  'go.mod',
  'pom.xml',
  'build.gradle',
  'build.gradle.kts',
  'Dockerfile',
  'Makefile',
  'CMakeLists.txt',
]);
const CI_FILES = new Set([
  '.gitlab-ci.yml',
  '.travis.yml',
  '.circleci/config.yml',
  'azure-pipelines.yml',
  'Jenkinsfile',
]);
const TEST_DIRS = new Set(['test', 'tests', 'spec', 'specs', '__tests__', 'testing']);
const TEST_FILE = /(^|\/)(test_[^/]*\.py|[^/]*_test\.(py|go)|[^/]*\.(test|spec)\.[cm]?[jt]sx?)$/;
const WORKFLOW = /^\.github\/workflows\/[^/]+\.ya?ml$/;
const MAX_TOP_LEVEL = 200;

/** What the file list says about engineering practice: tests, CI, lint/type checking, packaging. */
export function summarizeTree(files: readonly ListedFile[]): TreeSummary {
  const roots = files
    .filter((file) => !file.path.includes('/'))
    .map((file) => file.path)
    .sort();
  return {
    fileCount: files.length,
    totalBytes: files.reduce((sum, file) => sum + file.size, 0),
    topLevel: [...new Set(files.map((file) => file.path.split('/')[0] ?? file.path))]
      .sort()
      .slice(0, MAX_TOP_LEVEL),
    hasTests: files.some(
      (file) =>
        file.path
          .split('/')
          .slice(0, -1)
          .some((dir) => TEST_DIRS.has(dir)) || TEST_FILE.test(file.path),
    ),
    ciWorkflows: files.map((file) => file.path).filter((path) => WORKFLOW.test(path) || CI_FILES.has(path)),
    lintConfigs: roots.filter((path) => LINT_CONFIGS.has(path)),
    typeConfigs: roots.filter((path) => TYPE_CONFIGS.has(path)),
    packagingFiles: roots.filter((path) => PACKAGING_FILES.has(path)),
    files: files.map(({ path, size, lfs, aspect }) => ({ path, size, lfs, aspect })),
  };
}
