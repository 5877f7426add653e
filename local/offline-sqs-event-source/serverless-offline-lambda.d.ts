// serverless-offline ships no types; this is the part of `serverless-offline/lambda` the plugin uses.
declare module 'serverless-offline/lambda' {
  export default class Lambda {
    constructor(serverless: unknown, options: Record<string, unknown>);
    create(lambdas: { functionKey: string; functionDefinition: unknown }[]): void;
    get(functionKey: string): {
      setEvent(event: unknown): void;
      runHandler(): Promise<unknown>;
    };
    cleanup(): Promise<unknown>;
  }
}
