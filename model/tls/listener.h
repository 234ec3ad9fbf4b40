#pragma once

#include "model/certs/identity.h"
#include "model/core/eventdetails.h"
#include "model/core/result.h"
#include "model/tls/serverconnection.h"

#include <QHash>
#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QSsl>
#include <QSslCertificate>
#include <QTimer>

#include <memory>
#include <optional>

namespace TlsLab::Model {

class KeyLogFile;
class Timeline;
class ListenerServer;

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
    // Limits, so that no client can hold what others need (see ServerConnectionSettings for the per-connection ones).
    // When this many connections are open, or the process runs out of descriptors, the listener stops accepting
    // (clients wait in the kernel's queue) until a connection ends. 0: no cap, only the descriptor limit.
    int maxOpenConnections = 2048;
    int idleTimeoutMs = 300000; // after the handshake, close after this long without traffic (0: never)
    qint64 maxBacklogBytes = 1024 * 1024; // per connection: unread output before reading from the client stops
    int backlogGraceMs = 10000; // a client that stays behind that long is closed
    bool answerPlaintextHttp = true; // send a short "400, use https" before closing
    bool tap = true; // record every TLS message, alerts as they cross the wire, and the wire bytes
    QString keyLogPath; // append the TLS secrets of every connection here (SSLKEYLOGFILE format); empty: none
};

// A TLS listener built on QSslServer. Of QSslServer it uses the listening socket and the TLS configuration; it
// overrides incomingConnection() to wrap each accepted socket in a ServerConnection first, because QSslServer would
// start the handshake at once and drop a plaintext client without a word, while this listener looks at the first
// bytes (to refuse plaintext with a reason, and to name what a client sent). So QSslServer's own handshake timeout,
// pending-connection queue and error relay are not used: each ServerConnection keeps its own timeout and records its
// errors, and the listener keeps the table of open connections and the counters. One bad client never disturbs another.
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
    // True while accepting is paused by a limit (open connections, or descriptors).
    bool isAcceptingPaused() const { return m_acceptingPaused; }

Q_SIGNALS:
    void started();
    void stopped();
    void sessionFinished(quint64 sessionId);
    void countersChanged();

private:
    void acceptConnection(qintptr descriptor);
    void connectionFinished(ServerConnection *connection);
    void onAcceptError(QAbstractSocket::SocketError error);
    void pauseAccepting(const QString &why, const EventDetails &details);
    void resumeAccepting();
    static bool descriptorsLeft(qintptr anyDescriptor);

    Timeline *m_timeline;
    ListenerServer *m_server = nullptr;
    ListenerConfig m_config;
    Identity m_identity;
    ServerConnectionSettings m_settings; // what every connection of this run is given
    Counters m_counters;
    QHash<ServerConnection *, quint64> m_connections;
    bool m_acceptingPaused = false;
    QTimer *m_retryAccept = nullptr; // out of descriptors with none of ours to free: try again later, not in a loop
};

} // namespace TlsLab::Model
