export { Identity } from './identity.ts'
export { peerIdOfKey, publicKeyOfPeer, isKeyPeerId, KEY_PEER_ID_LENGTH } from './peer-key.ts'
export { verifyPeerSignature, SIGNATURE_TEXT_LENGTH } from './signatures.ts'
export { toBase64Url, fromBase64Url } from './base64url.ts'
export { nobleEd25519, useEd25519Engine, ed25519Engine, ED25519_KEY_BYTES, ED25519_SIGNATURE_BYTES, type Ed25519Engine } from './ed25519-engine.ts'
export {
  issueSubjectCertificate,
  verifySubjectCertificate,
  verifyAdminCertificate,
  certifiedSubject,
  subjectCertificateMessage,
  subjectCertificateSchema,
  isSubjectName,
  SUBJECT_NAME_PATTERN,
  MAX_SUBJECT_LENGTH,
  MAX_CERTIFICATE_ROOM_LENGTH,
  MAX_CERTIFICATE_TIME,
  DEFAULT_CLOCK_SKEW_MS,
  type SubjectCertificate,
  type SubjectCertificateFields,
  type VerifyCertificateOptions,
  type CertificateRefusal,
  type CertificateVerdict,
} from './subject-certificate.ts'
