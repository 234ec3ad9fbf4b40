#pragma once

#include "model/tls/sessionrecorder.h"

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QSslConfiguration>
#include <QTimer>

#include <memory>

QT_FORWARD_DECLARE_CLASS(QSslSocket)

namespace TlsLab::Model {

class KeyLogFile;
struct FirstBytes;
class Timeline;

// Everything a listener's connection needs, fixed when it is accepted.
struct ServerConnectionSettings
{
    QSslConfiguration ssl;
    std::shared_ptr<void> sharedTlsContext; // a finished handshake's context to reuse (see TlsTap::reuseContext)
    bool requireClientCertificate = false; // reject a missing or unverified client certificate with an alert
    QList<QSslCertificate> caCertificates; // the trust anchors for client certificates (empty: the system's)
    QList<QByteArray> alpn;
    QByteArray greeting;
    bool echo = true;
    bool answerPlaintextHttp = true;
    int handshakeTimeoutMs = 5000;
    // Output waiting for a client that does not read (echo, greeting): beyond this many bytes the connection stops
    // reading from the client, and so stops echoing, until the client catches up.
    qint64 maxBacklogBytes = 1024 * 1024;
    int backlogGraceMs = 10000; // a client still behind after this long is closed
    int idleTimeoutMs = 300000; // after the handshake: close after this long without traffic either way (0: never)
    bool tap = true; // record every TLS message, the alerts as they cross the wire, the wire bytes
    qsizetype wireLimit = 1024 * 1024;
    std::shared_ptr<KeyLogFile> keyLog; // null: no key log
};

// One accepted connection of the listener: looks at the first bytes, then TLS (or refuses plaintext), then greets
// and echoes, then closes. Records every step. It never closes its socket synchronously inside one of the socket's
// signals: Qt sends OpenSSL's fatal alert only after the signal returns, and the client is owed that alert.
class ServerConnection final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ServerConnection)

public:
    // Takes ownership of the socket (already connected).
    ServerConnection(
        QSslSocket *socket, Timeline *timeline, const ServerConnectionSettings &settings, QObject *parent = nullptr);
    ~ServerConnection() override;

    quint64 sessionId() const { return m_recorder.id(); }
    const Session &session() const { return m_recorder.session(); }
    // The TLS context the handshake used, for later connections to share (null without Qt's private headers).
    std::shared_ptr<void> tlsContext() const;
    // The listener is stopping: close now.
    void shutDown();

Q_SIGNALS:
    void encrypted();
    void refused();
    void failed();
    void finished(); // the connection is over; the object can be deleted

private:
    void onReadyRead();
    void lookAtFirstBytes();
    void startTls(const FirstBytes &first, const QByteArray &bytes);
    void refusePlaintext(const FirstBytes &first, const QByteArray &bytes);
    void onEncrypted();
    void onError(QAbstractSocket::SocketError error);
    void onTimeout();
    void onDisconnected();
    void onBytesWritten();
    void onIdleTimeout();
    void onBacklogTimeout();
    void noteProgress();
    qint64 backlog() const;
    void checkBacklog();
    void write(const QByteArray &data);
    // The first decrypted bytes may be an HTTP request (a browser or curl pointed at the listener): answered with a
    // page describing the connection; returns true when the bytes were taken (answered, or waiting for more).
    bool answeredHttp(const QByteArray &data);
    void answerHttp(const QByteArray &request);
    void fail(const QString &reason, const QString &technical = {});
    // Ends the session now and closes the socket on the next event-loop turn, after letting Qt send what OpenSSL
    // still holds (a fatal alert).
    // abortPending: drop what the client has not read instead of waiting for it (a client that does not read).
    void closeSoon(SessionState state, const QString &reason = {}, bool abortPending = false);
    void end(SessionState state, const QString &reason);
    void releaseOwnDescriptor();
    // True when the client reset the connection (TCP RST), which Qt reports as a close.
    bool peerReset() const;

    QSslSocket *m_socket;
    ServerConnectionSettings m_settings;
    SessionRecorder m_recorder;
    QTimer m_timer;
    QTimer m_idleTimer;
    QTimer m_backlogTimer;
    enum class HttpProbe : quint8 { Undecided, NotHttp, Answered };
    HttpProbe m_httpProbe = HttpProbe::Undecided;
    QByteArray m_httpHead; // the first decrypted bytes while they may still be an HTTP request (bounded)
    bool m_clientOffersHttp = false; // its ALPN offered HTTP: it speaks first, so the greeting waits
    bool m_greetingPending = false;
    bool m_readingPaused = false; // the client is behind on reading: read (and echo) nothing until it catches up
    qsizetype m_firstBytesSeen = 0; // while looking at the first bytes: how many have arrived
    qint64 m_lastByteUs = 0; // when the last of them arrived
    bool m_finishedSignalled = false;
    bool m_endOfInputDelivered = false;
    qintptr m_ownDescriptor = -1; // a second descriptor of the socket, held until the connection ends
    bool m_closeNotifyReceived = false; // the client ended TLS cleanly: a reset after it is not news
};

} // namespace TlsLab::Model
