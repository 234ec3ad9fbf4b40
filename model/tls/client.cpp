#include "model/tls/client.h"

#include "model/timeline/timeline.h"
#include "model/tls/socketfacts.h"
#include "model/tls/tlstext.h"

#include <QCborArray>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace TlsLab::Model {

Client::Client(Timeline *timeline, QObject *parent)
    : QObject(parent)
    , m_timeline(timeline)
{ }

Client::~Client()
{
    if (m_socket && !m_finished) {
        m_socket->abort();
    }
}

void Client::record(const SocketFacts::EventParts &e)
{
    record(e.kind, e.severity, e.summary, e.details);
}

void Client::record(EventKind kind, Severity severity, const QString &summary, const EventDetails &details)
{
    m_timeline->record(m_session.id, Side::Client, kind, severity, summary, details);
}

void Client::publish()
{
    m_timeline->updateSession(m_session);
}

void Client::start(const ClientConfig &config)
{
    Q_ASSERT(!m_socket);
    m_config = config;
    m_session.id = Timeline::newSessionId();
    m_session.side = Side::Client;
    m_session.startUs = nowUs();
    m_session.peerAddress = config.host;
    m_session.peerPort = config.port;
    m_session.peerName = config.serverName.isEmpty() ? config.host : config.serverName;
    m_session.trustAnchors = config.caCertificates;
    m_session.systemTrust = config.useSystemCaCertificates;
    publish();

    m_socket = new QSslSocket(this);
    m_timer = new QTimer(this);
    m_timer->setSingleShot(true);
    connect(m_timer, &QTimer::timeout, this, &Client::onTimeout);
    connect(m_socket, &QSslSocket::connected, this, &Client::onConnected);
    connect(m_socket, &QSslSocket::encrypted, this, &Client::onEncrypted);
    connect(m_socket, &QSslSocket::readyRead, this, &Client::onReadyRead);
    connect(m_socket, &QSslSocket::sslErrors, this, &Client::onSslErrors);
    connect(m_socket, &QSslSocket::errorOccurred, this, &Client::onSocketError);
    connect(m_socket, &QSslSocket::disconnected, this, &Client::onDisconnected);
    connect(m_socket, &QSslSocket::peerVerifyError, this,
        [this](const QSslError &error) { record(SocketFacts::verifyErrorEvent(error, u"Verification error"_s)); });
    connect(m_socket, &QSslSocket::alertSent, this,
        [this](QSsl::AlertLevel level, QSsl::AlertType type, const QString &description) {
            record(SocketFacts::alertEvent(true, level, type, description));
        });
    connect(m_socket, &QSslSocket::alertReceived, this,
        [this](QSsl::AlertLevel level, QSsl::AlertType type, const QString &description) {
            record(SocketFacts::alertEvent(false, level, type, description));
            if (level == QSsl::AlertLevel::Fatal && m_wasEncrypted && !m_finished) {
                // TLS 1.3: the server's rejection (e.g. certificate_required) arrives after "encrypted".
                m_session.reason = u"the server rejected the connection after the handshake: alert %1"_s.arg(
                    TlsText::alertTypeName(type));
                m_session.state = SessionState::Failed;
            }
        });

    const QString target = SocketFacts::endpoint(config.host, config.port);
    m_timer->start(config.timeoutMs);
    if (config.mode == ClientMode::Plaintext) {
        record(EventKind::HandshakeStarted, Severity::Debug, u"Connecting to %1 in plaintext (no TLS)"_s.arg(target),
            EventDetails {{u"mode"_s, u"plaintext"_s}, {u"target"_s, target}});
        m_socket->connectToHost(config.host, config.port);
        return;
    }

    QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
    ssl.setProtocol(config.protocol);
    ssl.setPeerVerifyMode(QSslSocket::VerifyPeer);
    if (config.useSystemCaCertificates)
        ssl.addCaCertificates(config.caCertificates);
    else
        ssl.setCaCertificates(config.caCertificates);
    if (!config.alpnProtocols.isEmpty())
        ssl.setAllowedNextProtocols(config.alpnProtocols);
    if (config.clientIdentity && !config.clientIdentity->isNull()) {
        ssl.setLocalCertificateChain(config.clientIdentity->chain);
        ssl.setPrivateKey(config.clientIdentity->key.toSslKey());
    }
    m_socket->setSslConfiguration(ssl);
    m_socket->setPeerVerifyName(m_session.peerName);
    if (!config.continueOnVerifyErrors)
        m_socket->setPauseMode(QAbstractSocket::PauseOnSslErrors);
    EventDetails d {{u"mode"_s, u"tls"_s}, {u"target"_s, target}, {u"server_name"_s, m_session.peerName},
        {u"protocol"_s, TlsText::protocolName(config.protocol)},
        {u"trust"_s, config.useSystemCaCertificates ? u"system CAs"_s : u"given CAs only"_s}};
    if (!config.caCertificates.isEmpty())
        d.insert(u"extra_cas"_s, config.caCertificates.size());
    if (!config.alpnProtocols.isEmpty()) {
        QStringList alpn;
        for (const QByteArray &p : config.alpnProtocols)
            alpn.append(QString::fromLatin1(p));
        d.insert(u"alpn"_s, alpn);
    }
    record(EventKind::HandshakeStarted, Severity::Debug,
        u"Connecting to %1 with TLS, verifying the name %2"_s.arg(target, m_session.peerName), d);
    m_socket->connectToHostEncrypted(config.host, config.port, m_session.peerName);
}

void Client::onConnected()
{
    m_session.localAddress = m_socket->localAddress().toString();
    m_session.localPort = m_socket->localPort();
    m_session.peerAddress = m_socket->peerAddress().toString();
    m_session.peerPort = m_socket->peerPort();
    m_connected = true;
    const QString peer = SocketFacts::endpoint(m_session.peerAddress, m_session.peerPort);
    record(EventKind::TcpConnected, Severity::Info, u"TCP connected to "_s + peer,
        EventDetails {
            {u"peer"_s, peer}, {u"local"_s, SocketFacts::endpoint(m_session.localAddress, m_session.localPort)}});
    if (m_config.mode == ClientMode::Plaintext) {
        m_timer->stop();
        m_session.state = SessionState::Plaintext;
        publish();
        if (!m_config.payload.isEmpty())
            send(m_config.payload);
        if (m_config.closeAfterPayload)
            m_socket->disconnectFromHost();
    } else {
        m_session.state = SessionState::Handshaking;
        publish();
        record(EventKind::HandshakeStarted, Severity::Debug, u"TLS handshake started (ClientHello sent)"_s);
    }
    Q_EMIT connected();
}

void Client::onSslErrors(const QList<QSslError> &errors)
{
    m_session.verifyErrors = errors;
    if (m_config.continueOnVerifyErrors) {
        // Decided up front (--insecure): ignore exactly these errors, for this connection only.
        ignoreExactly(errors, u"as configured"_s);
        return;
    }
    m_pendingErrors = errors;
    publish();
    Q_EMIT verificationFailed(errors);
}

void Client::continueAnyway()
{
    if (m_pendingErrors.isEmpty() || m_finished)
        return;
    ignoreExactly(std::exchange(m_pendingErrors, {}), u"by the user's choice"_s);
    m_socket->resume();
}

void Client::ignoreExactly(const QList<QSslError> &errors, const QString &why)
{
    m_socket->ignoreSslErrors(errors); // matches error and certificate: nothing else is let through
    m_session.untrusted = true;
    QStringList codes;
    for (const QSslError &e : errors)
        codes.append(TlsText::errorCode(e.error()));
    record(EventKind::ErrorsIgnored, Severity::Warning,
        u"Continuing anyway (%1): %2 verification error(s) ignored for this connection only"_s.arg(why).arg(
            errors.size()),
        EventDetails {{u"errors", codes}});
}

void Client::abandon()
{
    if (m_finished)
        return;
    QString reason;
    if (!m_pendingErrors.isEmpty()) {
        QStringList words;
        for (const QSslError &e : std::as_const(m_pendingErrors))
            words.append(TlsText::errorWords(e.error()));
        words.removeDuplicates();
        reason = u"certificate verification failed: "_s + words.join(u"; "_s);
        QStringList codes;
        for (const QSslError &e : std::as_const(m_pendingErrors))
            codes.append(TlsText::errorCode(e.error()));
        record(EventKind::HandshakeFailed, Severity::Error, u"Handshake failed: "_s + reason,
            EventDetails {{u"reason"_s, reason}, {u"errors"_s, codes}});
        m_pendingErrors.clear();
    } else {
        reason = u"abandoned by the user"_s;
        record(EventKind::Closed, Severity::Info, u"Connection abandoned by the user"_s);
    }
    finish(SessionState::Failed, reason);
    // Not from inside a socket slot: aborting there can crash in OpenSSL's verification.
    QTimer::singleShot(0, m_socket, [socket = m_socket] { socket->abort(); });
}

void Client::onEncrypted()
{
    m_timer->stop();
    m_wasEncrypted = true;
    SocketFacts::readEncrypted(*m_socket, m_session);
    m_session.state = SessionState::Encrypted;
    publish();
    record(EventKind::Encrypted, m_session.untrusted ? Severity::Warning : Severity::Success,
        SocketFacts::encryptedSummary(m_session), SocketFacts::encryptedDetails(m_session));
    Q_EMIT encrypted();
    if (!m_config.payload.isEmpty())
        send(m_config.payload);
}

void Client::send(const QByteArray &data)
{
    if (!m_socket || m_finished || data.isEmpty())
        return;
    m_socket->write(data);
    m_session.bytesSent += quint64(data.size());
    m_payloadSent = true;
    record(EventKind::DataSent, Severity::Info, SocketFacts::dataSummary(true, data), SocketFacts::dataDetails(data));
    publish();
}

void Client::onReadyRead()
{
    const QByteArray data = m_socket->readAll();
    if (data.isEmpty())
        return;
    m_received += data;
    m_session.bytesReceived += quint64(data.size());
    EventDetails d = SocketFacts::dataDetails(data);
    d.insert(u"text"_s, QString::fromUtf8(data.left(64 * 1024)));
    record(EventKind::DataReceived, Severity::Info, SocketFacts::dataSummary(false, data), d);
    publish();
    Q_EMIT dataReceived(data);
}

void Client::onSocketError()
{
    if (m_finished)
        return;
    const QAbstractSocket::SocketError error = m_socket->error();
    const QString text = m_socket->errorString();
    const QString target = SocketFacts::endpoint(m_config.host, m_config.port);
    const bool established = m_config.mode == ClientMode::Plaintext ? m_connected : m_wasEncrypted;
    if (error == QAbstractSocket::RemoteHostClosedError) {
        if (established) {
            record(EventKind::Closed, Severity::Info, u"Connection closed by the server"_s);
            finish(m_session.state == SessionState::Failed ? SessionState::Failed : SessionState::Closed);
        } else {
            const QString reason = u"the server closed the connection during the handshake"_s;
            record(EventKind::HandshakeFailed, Severity::Error, u"Handshake failed: "_s + reason,
                EventDetails {{u"reason"_s, reason}, {u"error"_s, text}});
            finish(SessionState::Failed, reason);
        }
        m_socket->abort(); // after the peer's close_notify a QSslSocket may never emit disconnected()
        return;
    }
    QString reason;
    EventKind kind = EventKind::SocketError;
    switch (error) {
    case QAbstractSocket::ConnectionRefusedError:
        reason = u"connection refused: nothing is listening on %1"_s.arg(target);
        break;
    case QAbstractSocket::HostNotFoundError:
        reason = u"the host name %1 could not be resolved"_s.arg(m_config.host);
        break;
    case QAbstractSocket::NetworkError:
        reason = u"network error: "_s + text;
        if (text.contains(u"reset"_s, Qt::CaseInsensitive))
            kind = EventKind::Reset;
        break;
    case QAbstractSocket::SslHandshakeFailedError:
        reason = TlsText::handshakeFailureWords(text);
        kind = EventKind::HandshakeFailed;
        break;
    case QAbstractSocket::SslInvalidUserDataError:
        reason = u"the client certificate or key cannot be used: "_s + text;
        kind = EventKind::HandshakeFailed;
        break;
    default:
        reason = text;
        break;
    }
    if (kind == EventKind::SocketError && !m_wasEncrypted && m_config.mode == ClientMode::Tls
        && m_session.state == SessionState::Handshaking)
        kind = EventKind::HandshakeFailed;
    record(kind, Severity::Error,
        (kind == EventKind::HandshakeFailed ? u"Handshake failed: "_s : u"Error: "_s) + reason,
        EventDetails {{u"reason"_s, reason}, {u"error"_s, text}});
    finish(SessionState::Failed, reason);
    m_socket->abort();
}

void Client::onDisconnected()
{
    if (m_finished)
        return;
    record(EventKind::Closed, Severity::Info, u"Connection closed"_s);
    finish(m_session.state == SessionState::Failed ? SessionState::Failed : SessionState::Closed);
}

void Client::onTimeout()
{
    if (m_finished)
        return;
    const QString reason = m_socket->state() == QAbstractSocket::ConnectedState
        ? u"the TLS handshake did not complete within %1 s"_s.arg(m_config.timeoutMs / 1000.0)
        : u"could not connect within %1 s"_s.arg(m_config.timeoutMs / 1000.0);
    record(EventKind::Timeout, Severity::Error, u"Timeout: "_s + reason,
        EventDetails {{u"timeout_ms"_s, m_config.timeoutMs}});
    finish(SessionState::Failed, reason);
    m_socket->abort();
}

void Client::close()
{
    if (!m_socket || m_finished)
        return;
    record(EventKind::Closed, Severity::Info, u"Connection closed by the client"_s);
    finish(m_session.state == SessionState::Failed ? SessionState::Failed : SessionState::Closed);
    m_socket->disconnectFromHost();
}

void Client::finish(SessionState state, const QString &reason)
{
    if (m_finished)
        return;
    m_finished = true;
    if (m_timer)
        m_timer->stop();
    m_session.state = state;
    if (!reason.isEmpty())
        m_session.reason = reason;
    m_session.endUs = nowUs();
    publish();
    Q_EMIT finished();
}

bool Client::succeeded() const
{
    if (m_config.mode == ClientMode::Plaintext)
        return m_config.payload.isEmpty() ? m_connected : m_payloadSent;
    return m_wasEncrypted && m_session.state != SessionState::Failed;
}

} // namespace TlsLab::Model
