// Cove's version, as `cove version`, `cove info` and the Docker API's
// /version report it. Kept equal to package.json's by version.test.ts.
export const COVE_VERSION = '0.1.0';
