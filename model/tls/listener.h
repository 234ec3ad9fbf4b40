#pragma once

#include "model/certs/identity.h"
#include "model/core/result.h"

#include <QHash>
#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QSsl>
#include <QSslCertificate>

#include <memory>
#include <optional>

namespace TlsLab::Model {

class Timeline;
class ListenerServer;
class ServerConnection;

enum class PeerVerify { None, Request, Require };

QString peerVerifyName(PeerVerify mode); // "none", "request", "require"
std::optional<PeerVerify> peerVerifyFromName(QStringView name);

struct ListenerConfig
{
    QHostAddress address = QHostAddress(QHostAddress::LocalHost);
    quint16 port = 4481;
    std::optional<Identity> identity; // none: the development certificate
    PeerVerify peerVerify = PeerVerify::None;
    QList<QSslCertificate> caCertificates; // trust anchors for client certificates
    QSsl::SslProtocol protocol = QSsl::SecureProtocols;
    QList<QByteArray> alpnProtocols;
    QByteArray greeting = QByteArrayLiteral("Hello from TLS Lab\n");
    bool echo = true;
    int handshakeTimeoutMs = 5000;
    bool answerPlaintextHttp = true; // send a short "400, use https" before closing
};

// A TLS listener built on QSslServer. Before any handshake it looks at the first bytes of each connection, so it can
// report a ClientHello's SNI/ALPN, and refuse (and record) plaintext clients instead of dropping them silently.
// Every step of every connection is appended to the Timeline. One bad client never disturbs another.
class Listener final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Listener)

public:
    struct Counters
    {
        quint64 connections = 0;
        quint64 encrypted = 0;
        quint64 refused = 0;
        quint64 failed = 0;
    };

    explicit Listener(Timeline *timeline, QObject *parent = nullptr);
    ~Listener() override;

    // Starts listening; records ListenerStarted or ListenerFailed. The error names the cause (port in use, ...).
    Status start(const ListenerConfig &config);
    // Closes the listening socket and every connection.
    void stop();

    bool isListening() const;
    QHostAddress address() const;
    quint16 port() const; // the bound port (useful with port 0)
    const ListenerConfig &config() const { return m_config; }
    const Identity &identity() const { return m_identity; }
    Counters counters() const { return m_counters; }
    int openConnections() const { return int(m_connections.size()); }

Q_SIGNALS:
    void started();
    void stopped();
    void sessionFinished(quint64 sessionId);
    void countersChanged();

private:
    friend class ListenerServer;
    friend class ServerConnection;
    void acceptConnection(qintptr descriptor);
    void connectionFinished(ServerConnection *connection);

    Timeline *m_timeline;
    ListenerServer *m_server = nullptr;
    ListenerConfig m_config;
    Identity m_identity;
    Counters m_counters;
    QHash<ServerConnection *, quint64> m_connections;
    // The TLS context of the first completed handshake, reused by later connections (see model/CMakeLists.txt).
    std::shared_ptr<void> m_sharedTlsContext;
};

} // namespace TlsLab::Model
