#pragma once

#include <QByteArrayView>
#include <QCborMap>

namespace TlsLab::Model {

// The key fields of any handshake message other than the hellos (body without the 4-byte header) as a CBOR map
// with snake_case keys, for event details and JSON lines. negotiatedVersion (0x0304, 0x0303...) picks the layout
// where TLS 1.3 and 1.2 differ (Certificate, CertificateRequest, NewSessionTicket). ClientHello and ServerHello
// bodies are dissected in full (see hellodissection.h). Unknown types and malformed bodies give a map with an
// "error" key; never a crash, whatever the bytes.
QCborMap decodeHandshakeMessage(quint8 type, QByteArrayView body, quint16 negotiatedVersion);

} // namespace TlsLab::Model
