#pragma once

#include "model/core/session.h"

#include <QCborArray>
#include <QCborMap>
#include <QSsl>
#include <QSslError>

class QSslSocket;

namespace TlsLab::Model {

// Facts read off a QSslSocket, shared by the listener's and the client's recording.
namespace SocketFacts {

// Fills protocol, cipher, ALPN, ephemeral key and peer chain of an encrypted socket.
void readEncrypted(const QSslSocket &socket, Session &session);
// The details of an "encrypted" event for a session filled by readEncrypted().
EventDetails encryptedDetails(const Session &session);
// "Encrypted: TLSv1.3, TLS_AES_256_GCM_SHA384, ALPN h2"
QString encryptedSummary(const Session &session);
QCborArray chainSummary(const QList<QSslCertificate> &chain);
// Details and a summary line for data sent or received.
EventDetails dataDetails(const QByteArray &data);
QString dataSummary(bool sent, const QByteArray &data);
QString endpoint(const QString &address, quint16 port); // "127.0.0.1:4481", "[::1]:4481"
// Whether the peer ended the TCP connection behind `descriptor` with a reset (RST) rather than a close (FIN). Qt
// reports both as RemoteHostClosedError and closes its own descriptor at once, so `descriptor` must be a second one
// (a dup) held for the connection's life. Linux: the pending ECONNRESET, else the state the connection is left in
// (CLOSE after a reset, CLOSE_WAIT after a FIN). False when it cannot tell.
bool peerReset(qintptr descriptor);
// Raises this process's soft limit on open descriptors to its hard limit (at most 65,536), as servers do: the soft
// limit of a desktop session is often 1,024, which a listener holding two descriptors per connection reaches at
// about 500 clients. Returns the soft limit now in force (-1 when it cannot be read).
qint64 raiseDescriptorLimit();
qint64 descriptorLimit(); // the soft limit in force, -1 when it cannot be read

// An event about to be recorded for a socket's session.
struct EventParts
{
    EventKind kind;
    Severity severity;
    QString summary;
    EventDetails details;
};
EventParts alertEvent(bool sent, QSsl::AlertLevel level, QSsl::AlertType type, const QString &description);
// `whose` names the certificate's owner in the summary: "Client certificate" or "Verification error".
EventParts verifyErrorEvent(const QSslError &error, const QString &whose);

} // namespace SocketFacts

} // namespace TlsLab::Model
