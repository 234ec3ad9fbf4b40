#include "model/tls/client.h"

#include "model/timeline/timeline.h"
#include "model/tls/clienthello.h"
#include "model/tls/keylogfile.h"
#include "model/tls/socketfacts.h"
#include "model/tls/tlstext.h"

#include <QSslConfiguration>
#include <QSslSocket>
#include <QTimer>

#include <algorithm>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace TlsLab::Model {

namespace {

// The alert a TLS client sends when it rejects the server's certificate for this reason (as OpenSSL maps its
// verification errors to alerts).
quint8 alertFor(QSslError::SslError error)
{
    switch (error) {
    case QSslError::CertificateExpired:
        return 45; // certificate_expired
    case QSslError::CertificateRevoked:
        return 44; // certificate_revoked
    case QSslError::SelfSignedCertificate:
    case QSslError::SelfSignedCertificateInChain:
    case QSslError::UnableToGetIssuerCertificate:
    case QSslError::UnableToGetLocalIssuerCertificate:
    case QSslError::UnableToVerifyFirstCertificate:
    case QSslError::CertificateUntrusted:
        return 48; // unknown_ca
    case QSslError::InvalidPurpose:
        return 43; // unsupported_certificate
    case QSslError::HostNameMismatch:
        return 40; // handshake_failure, as OpenSSL sends for a name mismatch
    default:
        return 42; // bad_certificate
    }
}

} // namespace

Client::Client(Timeline *timeline, QObject *parent)
    : QObject(parent)
    , m_recorder(timeline, Side::Client)
{ }

Client::~Client()
{
    if (m_socket && !m_finished)
        m_socket->abort();
    releaseOwnDescriptor();
}

void Client::start(const ClientConfig &config)
{
    Q_ASSERT(!m_socket);
    m_config = config;
    Session &s = m_recorder.session();
    s.startUs = nowUs();
    s.peerAddress = config.host;
    s.peerPort = config.port;
    s.peerName = config.serverName.isEmpty() ? config.host : config.serverName;
    s.trustAnchors = config.caCertificates;
    s.systemTrust = config.useSystemCaCertificates;
    m_recorder.publish();

    m_socket = new QSslSocket(this);
    m_timer = new QTimer(this);
    m_timer->setSingleShot(true);
    connect(m_timer, &QTimer::timeout, this, &Client::onTimeout);
    m_idleTimer = new QTimer(this);
    m_idleTimer->setSingleShot(true);
    connect(m_idleTimer, &QTimer::timeout, this, &Client::onIdleTimeout);
    connect(m_socket, &QSslSocket::bytesWritten, this, &Client::noteProgress);
    connect(m_socket, &QSslSocket::encryptedBytesWritten, this, &Client::noteProgress);
    connect(m_socket, &QSslSocket::connected, this, &Client::onConnected);
    connect(m_socket, &QSslSocket::encrypted, this, &Client::onEncrypted);
    connect(m_socket, &QSslSocket::readyRead, this, &Client::onReadyRead);
    connect(m_socket, &QSslSocket::sslErrors, this, &Client::onSslErrors);
    connect(m_socket, &QSslSocket::errorOccurred, this, &Client::onSocketError);
    connect(m_socket, &QSslSocket::disconnected, this, &Client::onDisconnected);
    connect(m_socket, &QSslSocket::peerVerifyError, this, [this](const QSslError &error) {
        m_recorder.record(SocketFacts::verifyErrorEvent(error, u"Verification error"_s));
    });
    connect(m_socket, &QSslSocket::alertSent, this,
        [this](QSsl::AlertLevel level, QSsl::AlertType type, const QString &description) {
            m_recorder.qtAlert(true, level, type, description);
        });
    connect(m_socket, &QSslSocket::alertReceived, this,
        [this](QSsl::AlertLevel level, QSsl::AlertType type, const QString &description) {
            m_recorder.qtAlert(false, level, type, description);
            m_closeNotifyReceived = m_closeNotifyReceived || type == QSsl::AlertType::CloseNotify;
            if (level == QSsl::AlertLevel::Fatal && m_wasEncrypted && !m_finished) {
                // TLS 1.3: the server's rejection (e.g. certificate_required) arrives after "encrypted".
                m_recorder.session().reason = u"the server rejected the connection after the handshake: alert %1"_s.arg(
                    TlsText::alertTypeName(type));
                m_recorder.session().state = SessionState::Failed;
            }
        });

    const QString target = SocketFacts::endpoint(config.host, config.port);
    m_timer->start(config.timeoutMs);
    if (config.mode == ClientMode::Plaintext) {
        m_recorder.record(EventKind::HandshakeStarted, Severity::Debug,
            u"Connecting to %1 in plaintext (no TLS)"_s.arg(target),
            EventDetails {{u"mode"_s, u"plaintext"_s}, {u"target"_s, target}});
        m_socket->connectToHost(config.host, config.port);
        return;
    }

    if (!config.keyLogPath.isEmpty()) {
        Result<std::shared_ptr<KeyLogFile>> opened = KeyLogFile::open(config.keyLogPath);
        if (!opened) {
            m_recorder.record(EventKind::SocketError, Severity::Error, u"Error: "_s + opened.error(),
                EventDetails {{u"reason"_s, opened.error()}});
            finish(SessionState::Failed, opened.error());
            return;
        }
        m_keyLog = opened.value();
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
    // Keep the session the server offers, so that it can be resumed (reconnect, resuming).
    ssl.setSslOption(QSsl::SslOptionDisableSessionPersistence, false);
    if (!config.sessionTicket.isEmpty())
        ssl.setSessionTicket(config.sessionTicket);
    m_socket->setSslConfiguration(ssl);
    m_socket->setPeerVerifyName(s.peerName);
    if (!config.continueOnVerifyErrors && config.askOnVerifyErrors)
        m_socket->setPauseMode(QAbstractSocket::PauseOnSslErrors);
    EventDetails d {{u"mode"_s, u"tls"_s}, {u"target"_s, target}, {u"server_name"_s, s.peerName},
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
    if (!config.sessionTicket.isEmpty())
        d.insert(u"resuming"_s, true);
    m_recorder.record(EventKind::HandshakeStarted, Severity::Debug,
        u"Connecting to %1 with TLS, verifying the name %2"_s.arg(target, s.peerName), d);
    // TCP first, then TLS on the connected socket: the handshake starts inside our own call, where the tap can bind.
    m_socket->connectToHost(config.host, config.port);
}

void Client::startTls()
{
    std::shared_ptr<TlsTap> tap;
    if (TlsTap::isAvailable()) {
        // Always bound (a rejection's real alert comes through it); recording messages and wire bytes is the option.
        TlsTap::Options options;
        options.messages = m_config.tap;
        options.wireLimit = m_config.tap ? options.wireLimit : 0;
        options.keyLog = bool(m_keyLog);
        if (!m_config.continueOnVerifyErrors && !m_config.askOnVerifyErrors) {
            options.verify = TlsTap::Verify::RejectWithAlert;
            options.verifyName = m_recorder.session().peerName;
        }
        tap = TlsTap::create(options);
        m_recorder.attachTap(tap, this);
        if (m_keyLog)
            m_recorder.setKeyLogSink([log = m_keyLog](const QByteArray &line) { log->append(line); });
    }
    if (tap) {
        TlsTap::Scope scope(tap);
        m_socket->startClientEncryption();
    } else {
        m_socket->startClientEncryption();
    }
}

void Client::onConnected()
{
    Session &s = m_recorder.session();
    s.localAddress = m_socket->localAddress().toString();
    s.localPort = m_socket->localPort();
    s.peerAddress = m_socket->peerAddress().toString();
    s.peerPort = m_socket->peerPort();
    m_connected = true;
    const QString peer = SocketFacts::endpoint(s.peerAddress, s.peerPort);
    m_recorder.record(EventKind::TcpConnected, Severity::Info, u"TCP connected to "_s + peer,
        EventDetails {{u"peer"_s, peer}, {u"local"_s, SocketFacts::endpoint(s.localAddress, s.localPort)}});
    if (m_config.mode == ClientMode::Plaintext) {
        m_timer->stop();
        s.state = SessionState::Plaintext;
        m_recorder.setPhase(ConnectionPhase::Plaintext);
        m_recorder.publish();
        noteProgress();
        if (!m_config.payload.isEmpty())
            send(m_config.payload);
        if (m_config.closeAfterPayload)
            m_socket->disconnectFromHost();
    } else {
        m_ownDescriptor = ::fcntl(int(m_socket->socketDescriptor()), F_DUPFD_CLOEXEC, 0);
        s.state = SessionState::Handshaking;
        m_recorder.setPhase(ConnectionPhase::Handshaking);
        m_recorder.publish();
        m_recorder.record(EventKind::HandshakeStarted, Severity::Debug, u"TLS handshake started (ClientHello sent)"_s);
        startTls();
    }
    Q_EMIT connected();
}

void Client::onSslErrors(const QList<QSslError> &errors)
{
    m_recorder.session().verifyErrors = errors;
    // The chain that failed is what the user needs to see (the details' chain strip marks where it broke).
    m_recorder.session().peerChain = m_socket->peerCertificateChain();
    if (m_config.continueOnVerifyErrors) {
        // Decided up front (--insecure): ignore exactly these errors, for this connection only.
        ignoreExactly(errors, u"as configured"_s);
        return;
    }
    m_pendingErrors = errors;
    m_recorder.publish();
    // A person is reading the warning: the handshake timeout waits with them.
    m_timer->stop();
    Q_EMIT verificationFailed(errors);
}

void Client::continueAnyway()
{
    if (m_pendingErrors.isEmpty() || m_finished)
        return;
    ignoreExactly(std::exchange(m_pendingErrors, {}), u"by the user's choice"_s);
    m_timer->start(m_config.timeoutMs);
    m_socket->resume();
}

void Client::ignoreExactly(const QList<QSslError> &errors, const QString &why)
{
    m_socket->ignoreSslErrors(errors); // matches error and certificate: nothing else is let through
    m_recorder.session().untrusted = true;
    QStringList codes;
    for (const QSslError &e : errors)
        codes.append(TlsText::errorCode(e.error()));
    m_recorder.record(EventKind::ErrorsIgnored, Severity::Warning,
        u"Continuing anyway (%1): %2 verification error(s) ignored for this connection only"_s.arg(why).arg(
            errors.size()),
        EventDetails {{u"errors", codes}});
}

void Client::sendRejectionAlert(const QList<QSslError> &errors)
{
    // The handshake is paused where OpenSSL has already built this client's last flight: drop it and tell the server
    // why, with the fatal alert OpenSSL itself sends when it rejects a certificate during verification (a plaintext
    // record, as the client's keys are not in use yet at that point). Written straight to the socket: Qt's TLS layer
    // is paused and has nothing else queued.
    const quint8 alert = alertFor(errors.isEmpty() ? QSslError::UnspecifiedError : errors.first().error());
    const char record[] = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, char(alert)};
    const qintptr fd = m_socket->socketDescriptor();
    const bool sent = fd >= 0 && ::send(int(fd), record, sizeof record, MSG_NOSIGNAL) == qint64(sizeof record);
    const QString name = TlsText::alertTypeName(QSsl::AlertType(alert));
    m_recorder.record(EventKind::AlertSent, sent ? Severity::Error : Severity::Warning,
        sent ? u"Alert sent: fatal "_s + name
             : u"The alert fatal %1 could not be sent (the connection is gone)"_s.arg(name),
        EventDetails {{u"level"_s, u"fatal"_s}, {u"type"_s, name}, {u"code"_s, int(alert)}, {u"encrypted"_s, false},
            {u"wire"_s, sent}});
}

void Client::abandon()
{
    if (m_finished)
        return;
    QString reason;
    if (!m_pendingErrors.isEmpty()) {
        QStringList words;
        QStringList codes;
        for (const QSslError &e : std::as_const(m_pendingErrors)) {
            words.append(TlsText::errorWords(e.error()));
            codes.append(TlsText::errorCode(e.error()));
        }
        words.removeDuplicates();
        reason = u"certificate verification failed: "_s + words.join(u"; "_s);
        sendRejectionAlert(m_pendingErrors);
        m_recorder.record(EventKind::HandshakeFailed, Severity::Error, u"Handshake failed: "_s + reason,
            EventDetails {{u"reason"_s, reason}, {u"errors"_s, codes}});
        m_pendingErrors.clear();
    } else {
        reason = u"abandoned by the user"_s;
        m_recorder.record(EventKind::Closed, Severity::Info, u"Connection abandoned by the user"_s);
    }
    finish(SessionState::Failed, reason);
    abortSoon();
}

void Client::onEncrypted()
{
    m_timer->stop();
    m_wasEncrypted = true;
    m_recorder.setPhase(ConnectionPhase::Encrypted);
    m_recorder.readEncrypted(*m_socket);
    Session &s = m_recorder.session();
    s.state = SessionState::Encrypted;
    m_recorder.publish();
    m_recorder.record(EventKind::Encrypted, s.untrusted ? Severity::Warning : Severity::Success,
        SocketFacts::encryptedSummary(s), SocketFacts::encryptedDetails(s));
    Q_EMIT encrypted();
    noteProgress();
    if (!m_config.payload.isEmpty())
        send(m_config.payload);
    if (m_socket->sessionProtocol() == QSsl::TlsV1_3) {
        // The server has not judged us yet (a TLS 1.3 server checks a client certificate after our Finished).
        connect(m_socket, &QSslSocket::newSessionTicketReceived, this, &Client::serverAccepted);
        m_verdictTimer = new QTimer(this);
        m_verdictTimer->setSingleShot(true);
        connect(m_verdictTimer, &QTimer::timeout, this, &Client::serverAccepted);
        m_verdictTimer->start(m_config.serverVerdictWaitMs);
    } else {
        serverAccepted();
    }
}

void Client::serverAccepted()
{
    if (m_accepted || m_finished || m_recorder.session().state == SessionState::Failed)
        return;
    m_accepted = true;
    if (m_verdictTimer)
        m_verdictTimer->stop();
    Q_EMIT accepted();
}

QByteArray Client::sessionTicket() const
{
    return m_socket ? m_socket->sslConfiguration().sessionTicket() : QByteArray();
}

void Client::send(const QByteArray &data)
{
    if (!m_socket || m_finished || data.isEmpty())
        return;
    m_socket->write(data);
    m_payloadSent = true;
    m_recorder.recordData(true, data);
}

void Client::onReadyRead()
{
    QByteArray data = m_socket->readAll();
    if (data.isEmpty())
        return;
    noteProgress();
    const qint64 cap = m_config.maxReceiveBytes;
    if (cap > 0) {
        // Past the cap, bytes are counted, never kept: a server that sends forever costs no memory.
        const qint64 room = std::max<qint64>(cap - m_received.size(), 0);
        if (data.size() > room) {
            m_discarded += quint64(data.size() - room);
            data.truncate(room);
        }
        if (m_received.size() + data.size() >= cap && !m_capReached) {
            m_capReached = true;
            const quint64 discarded = m_discarded;
            QTimer::singleShot(0, this, [this, cap, discarded] {
                m_recorder.record(EventKind::Limit, Severity::Warning,
                    u"Limit: received %1 bytes, the most this client keeps; closing (%2 more bytes had arrived: "
                    u"counted, not kept)"_s.arg(cap)
                        .arg(discarded),
                    EventDetails {{u"limit"_s, u"max-bytes"_s}, {u"max_bytes"_s, cap},
                        {u"discarded_bytes"_s, qint64(discarded)}});
                close();
            });
        }
        if (data.isEmpty())
            return;
    }
    m_received += data;
    m_recorder.recordData(false, data, true);
    serverAccepted();
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
    Session &s = m_recorder.session();
    if (error == QAbstractSocket::RemoteHostClosedError) {
        const QString alert = m_recorder.lastAlertReceived();
        const bool reset = alert.isEmpty() && !m_closeNotifyReceived && SocketFacts::peerReset(m_ownDescriptor);
        if (established && reset) {
            const QString reason = u"the server reset the connection (TCP RST, without a TLS close_notify)"_s;
            m_recorder.record(EventKind::Reset, Severity::Warning, u"Connection reset by the server"_s,
                EventDetails {{u"reason"_s, reason}});
            finish(s.state == SessionState::Failed ? SessionState::Failed : SessionState::Closed, reason);
        } else if (established) {
            m_recorder.record(EventKind::Closed, Severity::Info, u"Connection closed by the server"_s);
            finish(s.state == SessionState::Failed ? SessionState::Failed : SessionState::Closed);
        } else {
            const QString reason = reset ? u"the server reset the connection during the handshake"_s
                : alert.isEmpty()        ? u"the server closed the connection during the handshake without an alert"_s
                                         : u"the server aborted the handshake with the alert %1"_s.arg(alert);
            if (reset) {
                m_recorder.record(EventKind::Reset, Severity::Warning,
                    u"Connection reset by the server during the handshake"_s, EventDetails {{u"reason"_s, reason}});
            }
            m_recorder.record(EventKind::HandshakeFailed, Severity::Error, u"Handshake failed: "_s + reason,
                EventDetails {{u"reason"_s, reason}, {u"error"_s, text}});
            finish(SessionState::Failed, reason);
        }
        abortSoon(); // after the peer's close_notify a QSslSocket may never emit disconnected()
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
    case QAbstractSocket::SslHandshakeFailedError: {
        kind = EventKind::HandshakeFailed;
        // Our own verification rejected the server (and OpenSSL sent it the matching alert).
        const QList<QSslError> rejected = m_recorder.recordTapVerifyFailures(u"Verification error"_s);
        if (!rejected.isEmpty()) {
            s.verifyErrors = rejected;
            QStringList words;
            for (const QSslError &e : rejected) {
                words.append(
                    e.error() == QSslError::UnspecifiedError ? e.errorString() : TlsText::errorWords(e.error()));
            }
            reason = u"certificate verification failed: "_s + words.join(u"; "_s);
        } else {
            reason = TlsText::handshakeFailureWords(text);
        }
        break;
    }
    case QAbstractSocket::SslInvalidUserDataError:
        reason = u"the client certificate or key cannot be used: "_s + text;
        kind = EventKind::HandshakeFailed;
        break;
    case QAbstractSocket::SslInternalError:
        reason = u"the TLS connection failed: "_s + TlsText::handshakeFailureWords(text);
        break;
    default:
        reason = text;
        break;
    }
    if (kind == EventKind::SocketError && !m_wasEncrypted && m_config.mode == ClientMode::Tls
        && s.state == SessionState::Handshaking)
        kind = EventKind::HandshakeFailed;
    EventDetails details {{u"reason"_s, reason}, {u"error"_s, text}};
    if (kind == EventKind::HandshakeFailed
        && (text.contains(u"wrong version number"_s) || text.contains(u"packet length too long"_s))) {
        // Not TLS: what the server sent instead tells what it speaks (the tap keeps the wire bytes).
        const QByteArray first = m_recorder.receivedWirePrefix(64);
        if (!first.isEmpty()) {
            details.insert(u"received_first", previewBytes(first, 64));
            const FirstBytes looked = classifyFirstBytes(first);
            details.insert(u"received_text", looked.kind == FirstBytes::Kind::Http || looked.printable);
        }
    }
    m_recorder.record(kind, Severity::Error,
        (kind == EventKind::HandshakeFailed ? u"Handshake failed: "_s : u"Error: "_s) + reason, details);
    finish(SessionState::Failed, reason);
    abortSoon();
}

void Client::onDisconnected()
{
    if (m_finished)
        return;
    m_recorder.record(EventKind::Closed, Severity::Info, u"Connection closed"_s);
    finish(m_recorder.session().state == SessionState::Failed ? SessionState::Failed : SessionState::Closed);
}

void Client::onTimeout()
{
    if (m_finished)
        return;
    const QString reason = m_socket->state() == QAbstractSocket::ConnectedState
        ? u"the TLS handshake did not complete within %1 s"_s.arg(m_config.timeoutMs / 1000.0)
        : u"could not connect within %1 s"_s.arg(m_config.timeoutMs / 1000.0);
    EventDetails d {{u"timeout_ms"_s, m_config.timeoutMs}};
    if (m_recorder.tap()) // what came back, whole TLS messages or not: silence and a stalled answer differ
        d.insert(u"bytes"_s, qint64(m_recorder.tap()->bytesReceived()));
    m_recorder.record(EventKind::Timeout, Severity::Error, u"Timeout: "_s + reason, d);
    finish(SessionState::Failed, reason);
    m_socket->abort();
}

void Client::noteProgress()
{
    if (m_config.idleTimeoutMs > 0 && !m_finished && m_idleTimer
        && (m_wasEncrypted || (m_config.mode == ClientMode::Plaintext && m_connected)))
        m_idleTimer->start(m_config.idleTimeoutMs);
}

void Client::onIdleTimeout()
{
    if (m_finished)
        return;
    const QString seconds = QString::number(m_config.idleTimeoutMs / 1000.0);
    m_recorder.record(EventKind::Limit, Severity::Warning,
        u"Limit: nothing was received or sent for %1 s; closing"_s.arg(seconds),
        EventDetails {{u"limit"_s, u"idle-timeout"_s}, {u"idle_ms"_s, m_config.idleTimeoutMs}});
    close();
}

void Client::close()
{
    if (!m_socket || m_finished)
        return;
    m_recorder.record(EventKind::Closed, Severity::Info, u"Connection closed by the client"_s);
    finish(m_recorder.session().state == SessionState::Failed ? SessionState::Failed : SessionState::Closed);
    m_socket->disconnectFromHost();
    // The close_notify now, not when the event loop next writes: a client closed to make another (the window's
    // "Reconnect, resuming") is deleted before then, and a server that never saw close_notify (openssl s_server)
    // drops the session from its cache, so the next connection could not resume it.
    m_socket->flush();
}

void Client::abortSoon()
{
    // Never inside a socket signal: Qt sends OpenSSL's fatal alert after the signal returns, and aborting inside a
    // verification signal crashed (QT-TLS-FACTS.md).
    QTimer::singleShot(0, m_socket, [this] {
        m_socket->abort();
        m_recorder.drainTap();
    });
}

void Client::finish(SessionState state, const QString &reason)
{
    if (m_finished)
        return;
    m_finished = true;
    releaseOwnDescriptor();
    if (m_timer)
        m_timer->stop();
    if (m_idleTimer)
        m_idleTimer->stop();
    if (m_verdictTimer)
        m_verdictTimer->stop();
    m_recorder.finish(state, reason);
    Q_EMIT finished();
}

void Client::releaseOwnDescriptor()
{
    if (m_ownDescriptor >= 0)
        ::close(int(m_ownDescriptor));
    m_ownDescriptor = -1;
}

bool Client::succeeded() const
{
    if (m_config.mode == ClientMode::Plaintext)
        return m_config.payload.isEmpty() ? m_connected : m_payloadSent;
    return m_wasEncrypted && m_recorder.session().state != SessionState::Failed;
}

} // namespace TlsLab::Model
