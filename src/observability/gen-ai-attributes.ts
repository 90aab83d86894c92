/**
 * The GenAI semantic-convention attribute names the runtime writes (still "incubating" in
 * @opentelemetry/semantic-conventions, whose guidance is to copy such names rather than import the incubating entry).
 * https://opentelemetry.io/docs/specs/semconv/gen-ai/
 */
export const GEN_AI = {
  OPERATION_NAME: 'gen_ai.operation.name',
  PROVIDER_NAME: 'gen_ai.provider.name',
  /** Deprecated name of `gen_ai.provider.name`, still read by many backends (Langfuse, older Jaeger UIs). */
  SYSTEM: 'gen_ai.system',
  REQUEST_MODEL: 'gen_ai.request.model',
  REQUEST_MAX_TOKENS: 'gen_ai.request.max_tokens',
  REQUEST_TEMPERATURE: 'gen_ai.request.temperature',
  RESPONSE_MODEL: 'gen_ai.response.model',
  RESPONSE_FINISH_REASONS: 'gen_ai.response.finish_reasons',
  USAGE_INPUT_TOKENS: 'gen_ai.usage.input_tokens',
  USAGE_OUTPUT_TOKENS: 'gen_ai.usage.output_tokens',
  AGENT_NAME: 'gen_ai.agent.name',
  TOOL_NAME: 'gen_ai.tool.name',
  TOOL_CALL_ID: 'gen_ai.tool.call.id',
  TOOL_CALL_ARGUMENTS: 'gen_ai.tool.call.arguments',
  TOOL_CALL_RESULT: 'gen_ai.tool.call.result',
  SYSTEM_INSTRUCTIONS: 'gen_ai.system_instructions',
  INPUT_MESSAGES: 'gen_ai.input.messages',
  OUTPUT_MESSAGES: 'gen_ai.output.messages',
} as const;

/** The MCP server a tool belongs to (`mcp.server.name`; the Hub's own tools say `hub`). */
export const MCP_SERVER_NAME = 'mcp.server.name';

/** Botburrow's own span attributes. */
export const BOTBURROW = {
  AGENT_ID: 'botburrow.agent.id',
  WORK_ID: 'botburrow.work.id',
  ACTIVATION_ID: 'botburrow.activation.id',
  TASK_TYPE: 'botburrow.task_type',
  ATTEMPT: 'botburrow.attempt',
  INBOX_COUNT: 'botburrow.inbox_count',
  HAS_MENTION: 'botburrow.has_mention',
  ENQUEUE_STATUS: 'botburrow.enqueue.status',
  EXECUTOR_TYPE: 'botburrow.executor.type',
  FAILURE_KIND: 'botburrow.failure.kind',
  CLI_EXIT_CODE: 'botburrow.cli.exit_code',
} as const;
