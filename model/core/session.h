#pragma once

#include "model/core/event.h"

#include <QJsonObject>
#include <QList>
#include <QMetaType>
#include <QSslCertificate>
#include <QSslError>
#include <QString>

namespace TlsLab::Model {

enum class SessionState : quint8 {
    Connecting, // TCP in progress (client) or first bytes awaited (server)
    Handshaking,
    Encrypted,
    Plaintext, // an intentionally plaintext client, connected
    Closed, // ended after success
    Refused, // the listener refused a plaintext client
    Failed, // handshake or connection failed
};

// What is known about one connection, seen from one end. Value type; updated as events arrive.
struct Session
{
    quint64 id = 0;
    Side side = Side::Server;
    SessionState state = SessionState::Connecting;
    QString localAddress;
    quint16 localPort = 0;
    QString peerAddress;
    quint16 peerPort = 0;
    QString peerName; // host name the client asked for (client side) or SNI (server side)
    qint64 startUs = 0;
    qint64 endUs = 0; // 0 while open
    quint64 linkedSession = 0; // the other end of the same connection, when both ends are in this process
    QString protocol; // "TLSv1.3"
    QString cipher; // "TLS_AES_256_GCM_SHA384"
    QString alpn;
    QString ephemeralKey; // "X25519", "ECDH P-256 256 bits"
    QString group; // the key exchange group both ends agreed on ("x25519", "secp256r1"), from the TLS tap
    bool resumed = false; // the handshake resumed an earlier session (no certificate was sent)
    // The client's fingerprints from its ClientHello (the listener's side, with the TLS tap); empty: not known.
    QString ja3, ja3Md5, ja4;
    int ticketsReceived = 0; // session tickets a client received
    QList<QSslCertificate> peerChain;
    QList<QSslError> verifyErrors;
    QList<QSslCertificate> trustAnchors; // the CAs this end checked the peer's chain against, besides the system's
    bool systemTrust = true; // whether the system's CAs were trusted too
    bool untrusted = false; // verification errors were ignored by the user ("continue anyway")
    QString reason; // plain-language reason for a failure or refusal
    quint64 bytesSent = 0;
    quint64 bytesReceived = 0;
    // The verdict once the session ended badly, or a note (model/diagnosis Verdict::toJson()); empty: none.
    QJsonObject diagnosis;

    bool isOpen() const { return endUs == 0; }
};

QString stateName(SessionState state); // "encrypted", "refused", ...

} // namespace TlsLab::Model

Q_DECLARE_METATYPE(TlsLab::Model::Session)
