/**
 * The operator's admin console at {@code /console}: server-rendered pages (Thymeleaf, htmx for the live parts,
 * Chart.js for charts, all from webjars) over the same public services the API's controllers use. Its own Spring
 * Security filter chain (form login with the operator key or a configured operator user, a session cookie, CSRF) covers
 * {@code /console} only; the API keeps its bearer filters (ADR 0016). Every change made here is audited as the API
 * action it is, under the operator's identity.
 */
package io.stratus.controlplane.console;
