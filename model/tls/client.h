#pragma once

#include "model/certs/identity.h"
#include "model/core/session.h"
#include "model/tls/sessionrecorder.h"

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

class KeyLogFile;
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
    // When verification fails: pause and let the owner decide (verificationFailed(), the window), or reject at once
    // with the fatal alert that matches the error, as a TLS client should (the command line).
    bool askOnVerifyErrors = true;
    bool tap = true; // record every TLS message, alerts as they cross the wire, and the wire bytes
    QString keyLogPath; // append this connection's TLS secrets here (SSLKEYLOGFILE format); empty: none
    QByteArray sessionTicket; // resume this session (from an earlier client's sessionTicket())
    // TLS 1.3 servers judge a client certificate after the client has finished its handshake: wait this long for
    // the server's ticket, data or alert before counting the connection as accepted.
    int serverVerdictWaitMs = 1000;
    QByteArray payload; // sent once connected (plaintext) or encrypted (TLS)
    bool closeAfterPayload = false; // plaintext: half-close after sending the payload
    // Limits, so that no server can hold the client forever or fill its memory. What arrives beyond maxReceiveBytes is
    // counted (bytesDiscarded()), not kept, and the client closes; 0: no cap.
    qint64 maxReceiveBytes = 0;
    int idleTimeoutMs = 0; // once connected (plaintext) or encrypted: close after this long with no bytes either way
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

    quint64 sessionId() const { return m_recorder.id(); }
    Session session() const { return m_recorder.session(); }
    // The session to resume later (TLS 1.3 ticket or TLS 1.2 session), once the server sent one.
    QByteArray sessionTicket() const;
    const ClientConfig &config() const { return m_config; }
    QList<QSslError> pendingErrors() const { return m_pendingErrors; }
    QByteArray received() const { return m_received; }
    quint64 bytesDiscarded() const { return m_discarded; } // received beyond ClientConfig::maxReceiveBytes
    bool isFinished() const { return m_finished; }
    // True when what was asked succeeded: TLS encrypted (verified, or errors explicitly ignored), or the
    // plaintext payload delivered.
    bool succeeded() const;

Q_SIGNALS:
    void connected();
    void encrypted();
    // The server has had its say about this client: its first ticket or data, or, with neither, the verdict wait
    // passed without an alert (in TLS 1.2 this is the same moment as encrypted()).
    void accepted();
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
    void startTls();
    void serverAccepted();
    void sendRejectionAlert(const QList<QSslError> &errors);
    void ignoreExactly(const QList<QSslError> &errors, const QString &why);
    void finish(SessionState state, const QString &reason = {});
    void abortSoon();
    void releaseOwnDescriptor();
    void noteProgress();
    void onIdleTimeout();

    ClientConfig m_config;
    SessionRecorder m_recorder;
    QSslSocket *m_socket = nullptr;
    QTimer *m_timer = nullptr;
    QTimer *m_verdictTimer = nullptr;
    std::shared_ptr<KeyLogFile> m_keyLog;
    QList<QSslError> m_pendingErrors;
    QByteArray m_received;
    QTimer *m_idleTimer = nullptr;
    quint64 m_discarded = 0;
    bool m_capReached = false;
    bool m_finished = false;
    bool m_payloadSent = false;
    bool m_wasEncrypted = false;
    bool m_connected = false;
    bool m_accepted = false;
    bool m_closeNotifyReceived = false;
    // A second descriptor of the TLS connection, from connect to finish: Qt reports a reset as a close and closes its
    // own descriptor before saying so; this one lets SocketFacts::peerReset() tell the two apart.
    qintptr m_ownDescriptor = -1;
};

} // namespace TlsLab::Model
