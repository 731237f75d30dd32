import { HttpStatusRange } from './http-status.js';

/**
 * Reason phrases of the registered HTTP status codes (RFC 9110 and friends) plus nginx's 499,
 * which is common in access logs.
 *
 * @example
 * ```ts
 * HttpReasonPhrases[503]; // 'Service Unavailable'
 * ```
 */
export const HttpReasonPhrases: Readonly<Record<number, string>> = {
  100: 'Continue',
  101: 'Switching Protocols',
  102: 'Processing',
  103: 'Early Hints',
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  203: 'Non-Authoritative Information',
  204: 'No Content',
  205: 'Reset Content',
  206: 'Partial Content',
  207: 'Multi-Status',
  208: 'Already Reported',
  226: 'IM Used',
  300: 'Multiple Choices',
  301: 'Moved Permanently',
  302: 'Found',
  303: 'See Other',
  304: 'Not Modified',
  305: 'Use Proxy',
  307: 'Temporary Redirect',
  308: 'Permanent Redirect',
  400: 'Bad Request',
  401: 'Unauthorized',
  402: 'Payment Required',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  407: 'Proxy Authentication Required',
  408: 'Request Timeout',
  409: 'Conflict',
  410: 'Gone',
  411: 'Length Required',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  416: 'Range Not Satisfiable',
  417: 'Expectation Failed',
  418: "I'm a Teapot",
  421: 'Misdirected Request',
  422: 'Unprocessable Content',
  423: 'Locked',
  424: 'Failed Dependency',
  425: 'Too Early',
  426: 'Upgrade Required',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  451: 'Unavailable For Legal Reasons',
  499: 'Client Closed Request',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
  505: 'HTTP Version Not Supported',
  506: 'Variant Also Negotiates',
  507: 'Insufficient Storage',
  508: 'Loop Detected',
  510: 'Not Extended',
  511: 'Network Authentication Required',
};

/**
 * `"<status> <reason phrase>"`, the signature of an access-log record; a code without a known
 * phrase is just the number.
 *
 * @example
 * ```ts
 * httpReasonPhrase(503); // '503 Service Unavailable'
 * httpReasonPhrase(599); // '599'
 * ```
 */
export function httpReasonPhrase(status: number): string {
  // Made once per status: it is the signature of most HTTP errors, and a string made per record
  // was compared by its text wherever it was counted, instead of by reference.
  if (Number.isInteger(status) && status >= 0 && status < SIGNATURES_BY_STATUS.length) {
    return SIGNATURES_BY_STATUS[status]!;
  }
  return signatureOf(status);
}

function signatureOf(status: number): string {
  const phrase = HttpReasonPhrases[status];
  return phrase === undefined ? String(status) : `${status} ${phrase}`;
}

/** {@link httpReasonPhrase} of every status up to the highest one `httpStatus` reads. */
const SIGNATURES_BY_STATUS: readonly string[] = Array.from(
  { length: HttpStatusRange.MAX + 1 },
  (_, status) => signatureOf(status),
);
