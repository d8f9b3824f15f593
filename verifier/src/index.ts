// Miasta Otwarte audit bundle verifier (spec miasta-audit/2), written from spec/audit.md alone.
// Browser-safe: no Node-only APIs (WebCrypto for Ed25519, @noble/hashes for SHA-256).

export { verify, leafOf, CHECK_ORDER, UsageError } from "./verify.ts";
export type { CheckId, Result, Summary, VerifyOptions, ReceiptReport, StageMove, JuryDecisionReport, RotationReport, PinnedReport, WitnessReport } from "./verify.ts";
export { parseCanonical, parseCanonicalBytes, serialize, canonicalBytes, CanonicalError, decodeUtf8, utf8 } from "./canonical.ts";
export type { Json, JsonObject } from "./canonical.ts";
export { computeTally, ruleFromJson } from "./tally.ts";
export type { Rule, TallyInput, TallyResult, NominationInput } from "./tally.ts";
export { Rational } from "./rational.ts";
export { leafHash, nodeHash, rootFromLeafHashes, inclusionProof, verifyInclusion } from "./merkle.ts";
export { parseVerifierKey, parseWitnessKey, checkCosignature, cosignatureMessage, parseSignedNote, parseCheckpoint, signedBy, checkSignature, checkRotation, rotationText, keyHashOf, LOG_NAME } from "./note.ts";
export { manifestProblems, runVector, vectorOptions } from "./manifest.ts";
export type { Manifest, Vector, VectorOutcome } from "./manifest.ts";
export { sha256, hashString, toHex, fromHex, toBase64, fromBase64Strict } from "./bytes.ts";
