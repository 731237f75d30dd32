import { pick, type RandomSource } from '@kinlog/core';

const FRAMES = [
  'com.shop.payments.GatewayClient.charge(GatewayClient.java:118)',
  'com.shop.payments.PaymentService.authorize(PaymentService.java:64)',
  'com.shop.checkout.CheckoutController.placeOrder(CheckoutController.java:212)',
  'org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:897)',
  'org.apache.catalina.core.ApplicationFilterChain.doFilter(ApplicationFilterChain.java:166)',
  'java.base/java.lang.Thread.run(Thread.java:833)',
] as const;

type Cause = readonly [className: string, message: string];

const CAUSES: readonly [Cause, ...Cause[]] = [
  ['java.net.SocketTimeoutException', 'Read timed out'],
  ['javax.net.ssl.SSLHandshakeException', 'Remote host terminated the handshake'],
  ['java.sql.SQLTransientConnectionException', 'HikariPool-1 - Connection is not available'],
];

/**
 * A Java-style stack trace as an upstream service would return it, multi-line, with a
 * `Caused by:` section: what a Node front end often relays into its own error logs.
 *
 * @example
 * ```ts
 * javaStackTrace(seededRandom(1)).split('\n')[0]; // 'com.shop.payments.PaymentDeclinedException: …'
 * ```
 */
export function javaStackTrace(random: RandomSource): string {
  const [causeClass, causeMessage] = pick(random, CAUSES);
  const orderId = Math.floor(random() * 1_000_000);
  return [
    `com.shop.payments.PaymentGatewayException: charge failed for order ${orderId}`,
    ...FRAMES.map((frame) => `\tat ${frame}`),
    `Caused by: ${causeClass}: ${causeMessage}`,
    `\tat ${FRAMES[0]}`,
    '\t... 5 more',
  ].join('\n');
}
