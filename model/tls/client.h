#pragma once

#include "model/certs/identity.h"
#include "model/core/session.h"
#include "model/tls/socketfacts.h"

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QSsl>
#include <QSslError>

#include <optional>

class QSslSocket;
class QTimer;

namespace TlsLab::Model {

class Timeline;

enum class ClientMode { Tls, Plaintext };

struct ClientConfig
{
    QString host = QStringLiteral("127.0.0.1");
    quint16 port = 4481;
    ClientMode mode = ClientMode::Tls;
    QString serverName; // SNI and the name verified; empty: host
    bool useSystemCaCertificates = true;
    QList<QSslCertificate> caCertificates; // extra trust anchors
    std::optional<Identity> clientIdentity; // client certificate and key
    QSsl::SslProtocol protocol = QSsl::SecureProtocols;
    QList<QByteArray> alpnProtocols;
    int timeoutMs = 10000; // connect + handshake
    // "Continue anyway" decided up front (the command line's --insecure): the errors seen are recorded, then
    // exactly those are ignored for this connection and the session is marked untrusted.
    bool continueOnVerifyErrors = false;
    QByteArray payload; // sent once connected (plaintext) or encrypted (TLS)
    bool closeAfterPayload = false; // plaintext: half-close after sending the payload
};

// One client connection, TLS or deliberately plaintext. Peer verification is on by default; when it fails the
// connection pauses and the owner decides: continueAnyway() ignores exactly the listed errors for this
// connection only, abandon() gives up. Every step is appended to the Timeline.
class Client final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Client)

public:
    explicit Client(Timeline *timeline, QObject *parent = nullptr);
    ~Client() override;

    void start(const ClientConfig &config);
    void send(const QByteArray &data);
    void close();
    void continueAnyway();
    void abandon();

    quint64 sessionId() const { return m_session.id; }
    Session session() const { return m_session; }
    const ClientConfig &config() const { return m_config; }
    QList<QSslError> pendingErrors() const { return m_pendingErrors; }
    QByteArray received() const { return m_received; }
    bool isFinished() const { return m_finished; }
    // True when what was asked succeeded: TLS encrypted (verified, or errors explicitly ignored), or the
    // plaintext payload delivered.
    bool succeeded() const;

Q_SIGNALS:
    void connected();
    void encrypted();
    void verificationFailed(const QList<QSslError> &errors); // paused: call continueAnyway() or abandon()
    void dataReceived(const QByteArray &data);
    void finished();

private:
    void onConnected();
    void onEncrypted();
    void onReadyRead();
    void onSslErrors(const QList<QSslError> &errors);
    void onSocketError();
    void onDisconnected();
    void onTimeout();
    void record(EventKind kind, Severity severity, const QString &summary, const EventDetails &details = {});
    void record(const SocketFacts::EventParts &event);
    void ignoreExactly(const QList<QSslError> &errors, const QString &why);
    void finish(SessionState state, const QString &reason = {});
    void publish();

    Timeline *m_timeline;
    ClientConfig m_config;
    QSslSocket *m_socket = nullptr;
    QTimer *m_timer = nullptr;
    Session m_session;
    QList<QSslError> m_pendingErrors;
    QByteArray m_received;
    bool m_finished = false;
    bool m_payloadSent = false;
    bool m_wasEncrypted = false;
    bool m_connected = false;
};

} // namespace TlsLab::Model
