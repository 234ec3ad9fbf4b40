#pragma once

#include <QLatin1StringView>
#include <QString>

#include "model/tls/grease.h"

namespace TlsLab::Model {

// IANA names for the numbers a TLS handshake carries (TLS parameters registries), so that every layer says
// "TLS_AES_128_GCM_SHA256" and "key_share" the same way. Each lookup returns an empty view for a number the
// table does not know; the *Label functions always return something to show ("unknown (0x1234)", "GREASE").

QLatin1StringView cipherSuiteName(quint16 suite);
QLatin1StringView extensionName(quint16 type);
QLatin1StringView namedGroupName(quint16 group);
QLatin1StringView signatureSchemeName(quint16 scheme);
QLatin1StringView handshakeTypeName(quint8 type);
// The same messages as the specifications' prose names them, as event details do: "ServerHello",
// "EncryptedExtensions"; "handshake type N" when unknown.
QString handshakeMessageName(quint8 type);
QLatin1StringView alertDescriptionName(quint8 description);
QLatin1StringView certificateCompressionName(quint16 algorithm); // compress_certificate: zlib, brotli, zstd
QLatin1StringView pskKeyExchangeModeName(quint8 mode); // psk_ke, psk_dhe_ke

// Groups whose key exchange includes ML-KEM / Kyber (hybrids such as X25519MLKEM768 and the pure ML-KEM ones).
bool isPostQuantumGroup(quint16 group);
// Hybrids: a classical (EC)DH share and a post-quantum KEM share in one key_share entry.
bool isHybridGroup(quint16 group);

// "0x1301"
QString hex16(quint16 value);
// The name, "GREASE (0x0a0a)" or "unknown (0x1234)".
QString cipherSuiteLabel(quint16 suite);
QString extensionLabel(quint16 type);
QString namedGroupLabel(quint16 group);
QString signatureSchemeLabel(quint16 scheme);
// "TLS 1.3", "TLS 1.2", ..., "GREASE (0x7a7a)", "unknown (0x1234)"
QString versionLabel(quint16 version);

} // namespace TlsLab::Model
