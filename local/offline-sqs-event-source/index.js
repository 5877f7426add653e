// serverless loads plugins with require(); the plugin is TypeScript, compiled on load by tsx
// (a dev dependency), so it shares types and helpers with the rest of local/.
const { require: tsxRequire } = require('tsx/cjs/api');

module.exports = tsxRequire('./plugin.ts', __filename).OfflineSqsEventSourcePlugin;
