#include "model/tls/listener.h"

#include "model/certs/devcertificate.h"
#include "model/timeline/timeline.h"
#include "model/tls/clienthello.h"
#include "model/tls/grease.h"
#include "model/tls/socketfacts.h"
#include "model/tls/tlstext.h"

#include <QCborArray>
#include <QLoggingCategory>
#include <QSslConfiguration>
#include <QSslServer>
#include <QSslSocket>
#include <QTimer>

#ifdef TLSLAB_SHARE_TLS_CONTEXT
#include <QtNetwork/private/qsslsocket_p.h>
#endif

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcListener, "tlslab.listener")

namespace TlsLab::Model {

// QSslServer hands every accepted descriptor to the Listener, which wraps it in its own QSslSocket so it can peek
// at the first bytes before any TLS happens (QSslServer itself drops a plaintext client without a word).
class ListenerServer final : public QSslServer
{
public:
    explicit ListenerServer(Listener *listener)
        : QSslServer(listener)
        , m_listener(listener)
    { }

protected:
    void incomingConnection(qintptr descriptor) override { m_listener->acceptConnection(descriptor); }

private:
    Listener *m_listener;
};

// One accepted connection: sniff, then TLS (or refuse), then greet and echo, then close. Records every step.
class ServerConnection final : public QObject
{
public:
    ServerConnection(Listener *listener, Timeline *timeline, QSslSocket *socket);
    quint64 sessionId() const { return m_session.id; }
    void shutDown(); // listener stopping

private:
    enum class Phase { Sniffing, Handshaking, Encrypted, Done };

    void record(EventKind kind, Severity severity, const QString &summary, const EventDetails &details = {})
    {
        m_timeline->record(m_session.id, Side::Server, kind, severity, summary, details);
    }
    void record(const SocketFacts::EventParts &e) { record(e.kind, e.severity, e.summary, e.details); }
    void publish() { m_timeline->updateSession(m_session); }
    void onReadyRead();
    void sniff();
    void refusePlaintext(const FirstBytes &first, const QByteArray &bytes);
    void onEncrypted();
    void onError(QAbstractSocket::SocketError error);
    void onTimeout();
    void onDisconnected();
    void write(const QByteArray &data);
    void fail(const QString &reason, const QString &technical = {});
    void finish(SessionState state, const QString &reason = {});

    Listener *m_listener;
    Timeline *m_timeline;
    QSslSocket *m_socket;
    QTimer m_timer;
    Session m_session;
    Phase m_phase = Phase::Sniffing;
    QString m_lastAlertReceived;
};

ServerConnection::ServerConnection(Listener *listener, Timeline *timeline, QSslSocket *socket)
    : QObject(listener)
    , m_listener(listener)
    , m_timeline(timeline)
    , m_socket(socket)
{
    socket->setParent(this);
    m_session.id = Timeline::newSessionId();
    m_session.side = Side::Server;
    m_session.startUs = nowUs();
    m_session.localAddress = socket->localAddress().toString();
    m_session.localPort = socket->localPort();
    m_session.peerAddress = socket->peerAddress().toString();
    m_session.peerPort = socket->peerPort();
    m_session.trustAnchors = listener->config().caCertificates;
    m_session.systemTrust = listener->config().caCertificates.isEmpty();
    publish();
    record(EventKind::TcpAccepted, Severity::Info,
        u"TCP connection from "_s + SocketFacts::endpoint(m_session.peerAddress, m_session.peerPort),
        EventDetails {{u"peer"_s, SocketFacts::endpoint(m_session.peerAddress, m_session.peerPort)},
            {u"local"_s, SocketFacts::endpoint(m_session.localAddress, m_session.localPort)}});

    connect(socket, &QSslSocket::readyRead, this, &ServerConnection::onReadyRead);
    connect(socket, &QSslSocket::encrypted, this, &ServerConnection::onEncrypted);
    connect(socket, &QSslSocket::errorOccurred, this, &ServerConnection::onError);
    connect(socket, &QSslSocket::disconnected, this, &ServerConnection::onDisconnected);
    connect(socket, &QSslSocket::peerVerifyError, this, [this](const QSslError &error) {
        m_session.verifyErrors.append(error);
        record(SocketFacts::verifyErrorEvent(error, u"Client certificate"_s));
    });
    connect(socket, &QSslSocket::alertSent, this,
        [this](QSsl::AlertLevel level, QSsl::AlertType type, const QString &description) {
            record(SocketFacts::alertEvent(true, level, type, description));
        });
    connect(socket, &QSslSocket::alertReceived, this,
        [this](QSsl::AlertLevel level, QSsl::AlertType type, const QString &description) {
            if (type != QSsl::AlertType::CloseNotify)
                m_lastAlertReceived = TlsText::alertTypeName(type);
            record(SocketFacts::alertEvent(false, level, type, description));
        });

    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &ServerConnection::onTimeout);
    m_timer.start(listener->config().handshakeTimeoutMs);

    // Bytes may already be waiting (a fast client): look at them now.
    if (socket->bytesAvailable() > 0)
        QTimer::singleShot(0, this, &ServerConnection::onReadyRead);
}

void ServerConnection::onReadyRead()
{
    if (m_phase == Phase::Sniffing) {
        sniff();
        return;
    }
    if (m_phase != Phase::Encrypted)
        return;
    const QByteArray data = m_socket->readAll();
    if (data.isEmpty())
        return;
    m_session.bytesReceived += quint64(data.size());
    record(
        EventKind::DataReceived, Severity::Info, SocketFacts::dataSummary(false, data), SocketFacts::dataDetails(data));
    publish();
    if (m_listener->config().echo)
        write(data);
}

void ServerConnection::sniff()
{
    // peek(), never read(): in unencrypted mode the bytes stay in the buffer for the TLS backend.
    const QByteArray bytes = m_socket->peek(m_socket->bytesAvailable());
    const FirstBytes first = classifyFirstBytes(bytes);
    if (first.kind == FirstBytes::Kind::NeedMore)
        return;

    EventDetails d {{u"bytes"_s, bytes.size()}, {u"preview"_s, previewBytes(bytes, 64)}};
    switch (first.kind) {
    case FirstBytes::Kind::TlsClientHello: {
        d.insert(u"classification"_s, u"tls-client-hello"_s);
        record(EventKind::FirstBytes, Severity::Debug, u"First bytes: a TLS ClientHello (%1 bytes)"_s.arg(bytes.size()),
            d);
        const ClientHelloInfo &hello = first.hello;
        QStringList versions;
        for (quint16 v :
            hello.supportedVersions.isEmpty() ? QList<quint16> {hello.legacyVersion} : hello.supportedVersions) {
            if (!isGrease(v))
                versions.append(tlsVersionName(v));
        }
        QStringList alpn;
        for (const QByteArray &p : hello.alpn)
            alpn.append(QString::fromLatin1(p));
        EventDetails h {{u"sni"_s, hello.serverName}, {u"alpn"_s, alpn}, {u"versions"_s, versions},
            {u"cipher_suites"_s, hello.cipherSuites.size()}, {u"extensions"_s, hello.extensionCount}};
        QString summary
            = u"ClientHello: "_s + (hello.serverName.isEmpty() ? u"no SNI"_s : u"SNI "_s + hello.serverName);
        if (!alpn.isEmpty())
            summary += u", ALPN "_s + alpn.join(u',');
        summary += u", offers "_s + versions.join(u", "_s);
        record(EventKind::ClientHello, Severity::Info, summary, h);
        m_session.peerName = hello.serverName;
        break;
    }
    case FirstBytes::Kind::TlsMalformed:
        // Let the TLS stack answer it, so the timeline shows the real alert it sends.
        d.insert(u"classification"_s, u"tls-malformed"_s);
        d.insert(u"problem"_s, first.problem);
        record(EventKind::FirstBytes, Severity::Warning,
            u"First bytes look like TLS but are malformed: "_s + first.problem, d);
        break;
    case FirstBytes::Kind::Http:
    case FirstBytes::Kind::Plaintext:
        refusePlaintext(first, bytes);
        return;
    case FirstBytes::Kind::NeedMore:
        return;
    }

    m_phase = Phase::Handshaking;
    m_session.state = SessionState::Handshaking;
    publish();
    m_socket->setSslConfiguration(m_listener->m_server->sslConfiguration());
#ifdef TLSLAB_SHARE_TLS_CONTEXT
    if (m_listener->m_sharedTlsContext) {
        QSslSocketPrivate::checkSettingSslContext(
            m_socket, std::static_pointer_cast<QSslContext>(m_listener->m_sharedTlsContext));
    }
#endif
    record(EventKind::HandshakeStarted, Severity::Debug, u"TLS handshake started"_s);
    m_socket->startServerEncryption();
}

void ServerConnection::refusePlaintext(const FirstBytes &first, const QByteArray &bytes)
{
    EventDetails d {{u"bytes"_s, bytes.size()}, {u"preview"_s, previewBytes(bytes, 64)},
        {u"hex"_s, QString::fromLatin1(bytes.left(32).toHex(' '))}};
    QString reason;
    if (first.kind == FirstBytes::Kind::Http) {
        d.insert(u"classification"_s, u"http"_s);
        d.insert(u"method"_s, first.httpMethod);
        d.insert(u"target"_s, first.httpTarget);
        record(EventKind::FirstBytes, Severity::Warning,
            u"First bytes: a plaintext HTTP request: %1 %2"_s.arg(first.httpMethod, first.httpTarget), d);
        reason = u"the client sent an HTTP request in plaintext to a TLS port"_s;
    } else {
        d.insert(u"classification"_s, u"plaintext"_s);
        d.insert(u"printable"_s, first.printable);
        record(EventKind::FirstBytes, Severity::Warning,
            u"First bytes: plaintext \"%1\" (%2 bytes)"_s.arg(previewBytes(bytes, 40)).arg(bytes.size()), d);
        reason = first.printable ? u"the client sent plaintext to a TLS port"_s
                                 : u"the client sent bytes that are not TLS to a TLS port"_s;
    }

    m_socket->readAll(); // drain, so that closing sends FIN, not RST, and our answer arrives
    EventDetails r {{u"reason"_s, reason}};
    if (first.kind == FirstBytes::Kind::Http && m_listener->config().answerPlaintextHttp) {
        const QByteArray body = "This port speaks TLS. Use https:// to connect.\n";
        const QByteArray answer = "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nConnection: close\r\n"
                                  "Content-Length: "
            + QByteArray::number(body.size()) + "\r\n\r\n" + body;
        m_socket->write(answer);
        r.insert(u"answered"_s, u"HTTP 400"_s);
    }
    record(EventKind::PlaintextRefused, Severity::Warning, u"Refused: "_s + reason, r);
    m_phase = Phase::Done;
    ++m_listener->m_counters.refused;
    Q_EMIT m_listener->countersChanged();
    finish(SessionState::Refused, reason);
    m_socket->disconnectFromHost();
}

void ServerConnection::onEncrypted()
{
    m_timer.stop();
#ifdef TLSLAB_SHARE_TLS_CONTEXT
    if (!m_listener->m_sharedTlsContext)
        m_listener->m_sharedTlsContext = QSslSocketPrivate::sslContext(m_socket);
#endif
    m_phase = Phase::Encrypted;
    SocketFacts::readEncrypted(*m_socket, m_session);
    m_session.state = SessionState::Encrypted;
    publish();
    record(EventKind::Encrypted, Severity::Success, SocketFacts::encryptedSummary(m_session),
        SocketFacts::encryptedDetails(m_session));
    ++m_listener->m_counters.encrypted;
    Q_EMIT m_listener->countersChanged();
    if (!m_listener->config().greeting.isEmpty())
        write(m_listener->config().greeting);
    if (m_socket->bytesAvailable() > 0)
        onReadyRead();
}

void ServerConnection::write(const QByteArray &data)
{
    m_socket->write(data);
    m_session.bytesSent += quint64(data.size());
    record(EventKind::DataSent, Severity::Info, SocketFacts::dataSummary(true, data), SocketFacts::dataDetails(data));
    publish();
}

void ServerConnection::onError(QAbstractSocket::SocketError error)
{
    if (m_phase == Phase::Done)
        return;
    const QString text = m_socket->errorString();
    if (m_phase == Phase::Encrypted) {
        if (error == QAbstractSocket::RemoteHostClosedError) {
            record(EventKind::Closed, Severity::Info, u"Connection closed by the client"_s);
            finish(SessionState::Closed);
            m_socket->abort(); // a QSslSocket may never emit disconnected() after the peer's close_notify
        } else {
            record(
                EventKind::Reset, Severity::Warning, u"Connection lost: "_s + text, EventDetails {{u"error"_s, text}});
            finish(SessionState::Closed, text);
            m_socket->abort();
        }
        return;
    }
    if (m_phase == Phase::Sniffing) {
        const bool closed = error == QAbstractSocket::RemoteHostClosedError;
        const QString reason = closed ? u"the client closed the connection without sending anything"_s
                                      : u"the connection failed before the client sent anything: "_s + text;
        record(closed ? EventKind::Closed : EventKind::Reset, Severity::Warning, u"Closed: "_s + reason);
        fail(reason);
        return;
    }
    // Handshaking.
    QString reason;
    if (error == QAbstractSocket::RemoteHostClosedError) {
        reason = m_lastAlertReceived.isEmpty()
            ? u"the client closed the connection during the handshake (it may not trust the certificate)"_s
            : u"the client aborted the handshake with the alert %1"_s.arg(m_lastAlertReceived);
    } else if (!m_session.verifyErrors.isEmpty()) {
        // This listener checked a client certificate and did not like it (or there was none).
        QStringList words;
        for (const QSslError &e : std::as_const(m_session.verifyErrors)) {
            words.append(e.error() == QSslError::NoPeerCertificate
                    ? u"the client sent no certificate, but this listener requires one"_s
                    : u"the client's certificate was rejected: "_s + TlsText::errorWords(e.error()));
        }
        words.removeDuplicates();
        reason = words.join(u"; "_s);
    } else if (error == QAbstractSocket::SslHandshakeFailedError) {
        reason = TlsText::handshakeFailureWords(text);
    } else {
        reason = u"the connection failed during the handshake: "_s + text;
    }
    fail(reason, text);
}

void ServerConnection::fail(const QString &reason, const QString &technical)
{
    EventDetails d {{u"reason"_s, reason}};
    if (!technical.isEmpty())
        d.insert(u"openssl"_s, technical);
    if (m_phase != Phase::Sniffing)
        record(EventKind::HandshakeFailed, Severity::Error, u"Handshake failed: "_s + reason, d);
    m_phase = Phase::Done;
    ++m_listener->m_counters.failed;
    Q_EMIT m_listener->countersChanged();
    finish(SessionState::Failed, reason);
    m_socket->abort();
}

void ServerConnection::onTimeout()
{
    if (m_phase == Phase::Done || m_phase == Phase::Encrypted)
        return;
    const double seconds = m_listener->config().handshakeTimeoutMs / 1000.0;
    if (m_phase == Phase::Sniffing) {
        const QByteArray bytes = m_socket->peek(m_socket->bytesAvailable());
        const QString reason = bytes.isEmpty()
            ? u"the client sent nothing for %1 s"_s.arg(seconds)
            : u"the client sent %1 bytes (\"%2\") and then nothing for %3 s"_s.arg(bytes.size())
                  .arg(previewBytes(bytes, 32))
                  .arg(seconds);
        record(EventKind::Timeout, Severity::Warning, u"Timeout: "_s + reason,
            EventDetails {{u"timeout_ms"_s, m_listener->config().handshakeTimeoutMs}, {u"bytes"_s, bytes.size()}});
        fail(reason);
        return;
    }
    const QString reason = u"the handshake did not complete within %1 s"_s.arg(seconds);
    record(EventKind::Timeout, Severity::Warning, u"Timeout: "_s + reason,
        EventDetails {{u"timeout_ms"_s, m_listener->config().handshakeTimeoutMs}});
    fail(reason);
}

void ServerConnection::onDisconnected()
{
    if (m_phase == Phase::Done)
        return;
    if (m_phase == Phase::Encrypted) {
        record(EventKind::Closed, Severity::Info, u"Connection closed"_s);
        finish(SessionState::Closed);
        return;
    }
    onError(QAbstractSocket::RemoteHostClosedError);
}

void ServerConnection::shutDown()
{
    if (m_phase != Phase::Done) {
        record(EventKind::Closed, Severity::Info, u"Connection closed by the listener (stopping)"_s);
        finish(m_phase == Phase::Encrypted ? SessionState::Closed : SessionState::Failed,
            m_phase == Phase::Encrypted ? QString() : u"the listener stopped"_s);
    }
    m_socket->disconnectFromHost();
    m_socket->flush();
    m_socket->abort();
}

void ServerConnection::finish(SessionState state, const QString &reason)
{
    m_timer.stop();
    m_phase = Phase::Done;
    m_session.state = state;
    if (!reason.isEmpty())
        m_session.reason = reason;
    m_session.endUs = nowUs();
    publish();
    // Let the socket finish writing (a refusal's answer, a close_notify) before the object goes away.
    if (m_socket->state() != QAbstractSocket::UnconnectedState) {
        connect(m_socket, &QSslSocket::disconnected, this, [this] { m_listener->connectionFinished(this); });
        QTimer::singleShot(2000, this, [this] { m_listener->connectionFinished(this); });
    } else {
        QTimer::singleShot(0, this, [this] { m_listener->connectionFinished(this); });
    }
}

// ---- Listener ----------------------------------------------------------------------------------------------------

QString peerVerifyName(PeerVerify mode)
{
    switch (mode) {
    case PeerVerify::None:
        return u"none"_s;
    case PeerVerify::Request:
        return u"request"_s;
    case PeerVerify::Require:
        return u"require"_s;
    }
    return {};
}

std::optional<PeerVerify> peerVerifyFromName(QStringView name)
{
    if (name == u"none")
        return PeerVerify::None;
    if (name == u"request")
        return PeerVerify::Request;
    if (name == u"require")
        return PeerVerify::Require;
    return std::nullopt;
}

Listener::Listener(Timeline *timeline, QObject *parent)
    : QObject(parent)
    , m_timeline(timeline)
{ }

Listener::~Listener()
{
    stop();
}

Status Listener::start(const ListenerConfig &config)
{
    stop();
    m_config = config;
    m_sharedTlsContext.reset();
    m_counters = {}; // counters describe one run of the listener
    Q_EMIT countersChanged();
    const QString where = SocketFacts::endpoint(config.address.toString(), config.port);

    auto failed = [this, &where](const QString &message) {
        m_timeline->record(0, Side::Server, EventKind::ListenerFailed, Severity::Error,
            u"Listener on %1 could not start: %2"_s.arg(where, message),
            EventDetails {{u"address"_s, where}, {u"error"_s, message}});
        return Status::failure(message);
    };

    if (config.identity && !config.identity->isNull()) {
        m_identity = *config.identity;
    } else {
        Result<Identity> dev = DevCertificate::loadOrCreate();
        if (!dev)
            return failed(dev.error());
        m_identity = dev.value();
    }

    QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
    ssl.setLocalCertificateChain(m_identity.chain);
    ssl.setPrivateKey(m_identity.key.toSslKey());
    ssl.setProtocol(config.protocol);
    switch (config.peerVerify) {
    case PeerVerify::None:
        ssl.setPeerVerifyMode(QSslSocket::VerifyNone);
        break;
    case PeerVerify::Request:
        ssl.setPeerVerifyMode(QSslSocket::QueryPeer);
        break;
    case PeerVerify::Require:
        ssl.setPeerVerifyMode(QSslSocket::VerifyPeer);
        break;
    }
    if (!config.caCertificates.isEmpty())
        ssl.setCaCertificates(config.caCertificates);
    if (!config.alpnProtocols.isEmpty())
        ssl.setAllowedNextProtocols(config.alpnProtocols);

    m_server = new ListenerServer(this);
    m_server->setSslConfiguration(ssl);
    if (!m_server->listen(config.address, config.port)) {
        QString message = m_server->errorString();
        if (m_server->serverError() == QAbstractSocket::AddressInUseError)
            message = u"port %1 is already in use on %2"_s.arg(config.port).arg(config.address.toString());
        else if (m_server->serverError() == QAbstractSocket::SocketAccessError)
            message = u"no permission to listen on %1 (ports below 1024 need privileges)"_s.arg(where);
        delete m_server;
        m_server = nullptr;
        return failed(message);
    }

    const QString actual = SocketFacts::endpoint(config.address.toString(), m_server->serverPort());
    m_timeline->record(0, Side::Server, EventKind::ListenerStarted, Severity::Success,
        u"Listening on %1 with %2 (SHA-256 %3)"_s.arg(
            actual, m_identity.description(), m_identity.sha256Fingerprint().left(23)),
        EventDetails {{u"address"_s, actual}, {u"port"_s, m_server->serverPort()},
            {u"certificate"_s, m_identity.description()}, {u"sha256"_s, m_identity.sha256Fingerprint()},
            {u"verify"_s, peerVerifyName(config.peerVerify)}, {u"protocol"_s, TlsText::protocolName(config.protocol)}});
    Q_EMIT started();
    return {};
}

void Listener::stop()
{
    if (!m_server)
        return;
    const QString where = SocketFacts::endpoint(m_config.address.toString(), m_server->serverPort());
    m_server->close();
    const auto connections = m_connections.keys();
    for (ServerConnection *c : connections)
        c->shutDown();
    qDeleteAll(connections);
    m_connections.clear();
    delete m_server;
    m_server = nullptr;
    m_timeline->record(0, Side::Server, EventKind::ListenerStopped, Severity::Info, u"Stopped listening on "_s + where);
    Q_EMIT stopped();
}

bool Listener::isListening() const
{
    return m_server && m_server->isListening();
}

QHostAddress Listener::address() const
{
    return m_server ? m_server->serverAddress() : m_config.address;
}

quint16 Listener::port() const
{
    return m_server ? m_server->serverPort() : m_config.port;
}

void Listener::acceptConnection(qintptr descriptor)
{
    auto *socket = new QSslSocket;
    if (!socket->setSocketDescriptor(descriptor)) {
        qCWarning(lcListener) << "cannot adopt accepted socket:" << socket->errorString();
        delete socket;
        return;
    }
    ++m_counters.connections;
    auto *connection = new ServerConnection(this, m_timeline, socket);
    m_connections.insert(connection, connection->sessionId());
    Q_EMIT countersChanged();
}

void Listener::connectionFinished(ServerConnection *connection)
{
    const auto it = m_connections.find(connection);
    if (it == m_connections.end())
        return; // already finished (both the disconnect and the fallback timer fire)
    const quint64 id = it.value();
    m_connections.erase(it);
    connection->deleteLater();
    Q_EMIT sessionFinished(id);
}

} // namespace TlsLab::Model
