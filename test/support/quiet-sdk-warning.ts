// The SDK warns once per process that future releases need Node 22; Lambda runs nodejs22.x and the
// warning says nothing about the code under test, so it is silenced in tests only.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
