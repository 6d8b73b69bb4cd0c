// The platform's vocabularies as the web apps use them. They are written once, in
// api_contracts/vocabulary.py; vocabulary.gen.json is its copy (tests/unit/test_vocabulary.py keeps
// the two equal), so a segment or an anomaly kind added there reaches the filters here.
import vocabulary from "./vocabulary.gen.json";

/** The business's zone: the default of an employee or establishment whose files name none. */
export const DEFAULT_TIME_ZONE: string = vocabulary.defaultTimeZone;
/** RFM segments, in the order their rules are tried. */
export const SEGMENTS: readonly string[] = vocabulary.segments;
/** The columns the customers page sorts by, either way; never null, so the default null order is
 * asked and an index yields it (api_contracts/queries.py). */
export const CUSTOMER_SORTS: readonly string[] = vocabulary.customerSorts;
/** Every kind of /punch_anomalies. */
export const ANOMALY_KINDS: readonly string[] = vocabulary.anomalyKinds;
/** The CLT violations among them; the others are the queue HR works through. */
export const VIOLATION_KINDS: readonly string[] = vocabulary.violationKinds;
/** The roles a person signs in as. */
export const SESSION_ROLES: readonly string[] = vocabulary.sessionRoles;
export type Role = (typeof vocabulary.sessionRoles)[number];
