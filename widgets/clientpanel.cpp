#include "widgets/clientpanel.h"

#include "model/certs/certificatedetails.h"
#include "model/diagnosis/diagnosis.h"
#include "model/lab.h"
#include "model/timeline/timeline.h"
#include "model/tls/listener.h"
#include "model/tls/plaintextpayload.h"
#include "model/tls/socketfacts.h"
#include "model/tls/tlsoptions.h"
#include "model/tls/tlstext.h"
#include "ui_clientpanel.h"
#include "widgets/filechooser.h"
#include "widgets/optioncombos.h"

#include <QSettings>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace TlsLab::Widgets {

using namespace TlsLab::Model;

ClientPanel::ClientPanel(Lab *lab, QWidget *parent)
    : QWidget(parent)
    , m_ui(std::make_unique<Ui::ClientPanel>())
    , m_lab(lab)
    , m_listener(&lab->listener())
{
    m_ui->setupUi(this);
    m_ui->modeCombo->addItem(tr("TLS"), int(ClientMode::Tls));
    m_ui->modeCombo->addItem(tr("Plaintext"), int(ClientMode::Plaintext));
    m_ui->caCombo->addItem(tr("System CA certificates"), int(Trust::System));
    m_ui->caCombo->addItem(tr("The listener's certificate"), int(Trust::Listener));
    m_ui->caCombo->addItem(tr("CA file…"), int(Trust::File));
    fillProtocolCombo(m_ui->protocolCombo);
    fillPayloadCombo(m_ui->payloadCombo);
    m_ui->verifyBox->hide();
    m_ui->connectButton->setIcon(QIcon(u":/icons/connect.svg"_s));
    m_ui->receivedView->setMaximumBlockCount(5000);
    connect(m_ui->connectButton, &QPushButton::clicked, this, &ClientPanel::connectToServer);
    connect(m_ui->closeButton, &QPushButton::clicked, this, &ClientPanel::closeConnection);
    connect(m_ui->resumeButton, &QPushButton::clicked, this, &ClientPanel::reconnectResuming);
    connect(m_ui->continueButton, &QPushButton::clicked, this, &ClientPanel::continueAnyway);
    connect(m_ui->abandonButton, &QPushButton::clicked, this, &ClientPanel::abandon);
    connect(m_ui->viewCertificateButton, &QPushButton::clicked, this, [this] {
        if (m_client)
            Q_EMIT certificateChainRequested(m_pendingChain, m_client->sessionId());
    });
    // Abandon is what Enter does while a decision is pending: the safe choice is the easy one.
    m_ui->abandonButton->setDefault(true);
    m_ui->abandonButton->setAutoDefault(true);
    m_ui->continueButton->setAutoDefault(false);
    m_pendingClock = new QTimer(this);
    m_pendingClock->setInterval(1000);
    connect(m_pendingClock, &QTimer::timeout, this, &ClientPanel::showPendingTime);
    connect(m_ui->sendButton, &QPushButton::clicked, this, &ClientPanel::sendText);
    connect(m_ui->sendEdit, &QLineEdit::returnPressed, this, &ClientPanel::sendText);
    connect(m_ui->useListenerButton, &QPushButton::clicked, this, &ClientPanel::useListener);
    connect(m_ui->modeCombo, &QComboBox::currentIndexChanged, this, &ClientPanel::updateMode);
    connect(m_ui->caCombo, &QComboBox::currentIndexChanged, this, &ClientPanel::updateMode);
    connect(m_ui->caBrowseButton, &QToolButton::clicked, this,
        [this] { chooseCertificateFile(m_ui->caFileEdit, tr("CA certificates")); });
    connect(m_ui->clientCertBrowseButton, &QToolButton::clicked, this,
        [this] { chooseCertificateFile(m_ui->clientCertEdit, tr("Client certificate")); });
    connect(m_ui->clientKeyBrowseButton, &QToolButton::clicked, this,
        [this] { chooseCertificateFile(m_ui->clientKeyEdit, tr("Client private key")); });
    connect(m_listener, &Listener::started, this, [this] {
        if (m_client && !m_client->isFinished())
            return;
        const quint16 previous = m_listenerPort;
        const bool pointedAtListener
            = previous && m_ui->portSpin->value() == previous && m_ui->hostEdit->text().trimmed() == listenerHost();
        m_listenerPort = m_listener->port();
        if (!previous) {
            // Prefill with the running listener, which is what a new user wants to reach.
            m_ui->portSpin->setValue(m_listener->port());
        } else if (pointedAtListener) {
            // The listener moved: follow it as a whole (host, port and its certificate as the trust), not the port
            // alone.
            useListener();
            setStatus(
                tr("Set up for the listener, now on %1").arg(SocketFacts::endpoint(listenerHost(), m_listenerPort)));
        } else {
            setStatus(
                tr("The listener now runs on %1; the client still targets %2 (Use listener to switch)")
                    .arg(SocketFacts::endpoint(listenerHost(), m_listenerPort),
                        SocketFacts::endpoint(m_ui->hostEdit->text().trimmed(), quint16(m_ui->portSpin->value()))));
        }
    });
    updateMode();
    updateButtons();
}

ClientPanel::~ClientPanel() = default;

void ClientPanel::updateMode()
{
    const bool tls = comboValue(m_ui->modeCombo, ClientMode::Tls) == ClientMode::Tls;
    m_ui->tlsBox->setVisible(tls);
    m_ui->payloadBox->setVisible(!tls);
    const bool file = comboValue(m_ui->caCombo, Trust::System) == Trust::File;
    m_ui->caFileEdit->setEnabled(file);
    m_ui->caBrowseButton->setEnabled(file);
}

void ClientPanel::setTrust(Trust trust)
{
    setComboValue(m_ui->caCombo, trust);
}

void ClientPanel::setMode(ClientMode mode)
{
    setComboValue(m_ui->modeCombo, mode);
}

void ClientPanel::useListener()
{
    if (!m_listener->isListening()) {
        setStatus(tr("The listener is not running"), true);
        return;
    }
    m_ui->hostEdit->setText(listenerHost());
    m_ui->portSpin->setValue(m_listener->port());
    if (comboValue(m_ui->modeCombo, ClientMode::Tls) == ClientMode::Tls)
        setTrust(Trust::Listener);
}

QString ClientPanel::listenerHost() const
{
    const QHostAddress a = m_listener->address();
    return a == QHostAddress::Any || a == QHostAddress::AnyIPv4 ? u"127.0.0.1"_s
        : a == QHostAddress::AnyIPv6                            ? u"::1"_s
                                                                : a.toString();
}

void ClientPanel::setStatus(const QString &text, bool error)
{
    m_ui->statusLabel->setText(text);
    QPalette p = palette();
    if (error) {
        const bool dark = p.color(QPalette::Window).lightness() < 128;
        p.setColor(QPalette::WindowText, dark ? QColor(255, 120, 110) : QColor(180, 30, 20));
    }
    m_ui->statusLabel->setPalette(p);
}

QString ClientPanel::statusText() const
{
    return m_ui->statusLabel->text();
}

QString ClientPanel::verificationText() const
{
    return m_ui->verifyBox->isHidden() ? QString() : m_ui->verifyLabel->text();
}

void ClientPanel::updateButtons()
{
    const bool open = m_client && !m_client->isFinished();
    m_ui->closeButton->setEnabled(open);
    m_ui->sendButton->setEnabled(open);
    m_ui->sendEdit->setEnabled(open);
    m_ui->resumeButton->setEnabled(canResume());
}

bool ClientPanel::connectToServer()
{
    ClientConfig config;
    config.host = m_ui->hostEdit->text().trimmed();
    if (config.host.isEmpty()) {
        setStatus(tr("Enter a host name or address"), true);
        return false;
    }
    config.port = quint16(m_ui->portSpin->value());
    config.mode = comboValue(m_ui->modeCombo, ClientMode::Tls);
    if (config.mode == ClientMode::Plaintext) {
        const Result<QByteArray> payload = makePayload(comboValue(m_ui->payloadCombo, PayloadKind::TextLine),
            m_ui->payloadEdit->text(), SocketFacts::endpoint(config.host, config.port));
        if (!payload) {
            setStatus(payload.error(), true);
            return false;
        }
        config.payload = payload.value();
    } else {
        config.serverName = m_ui->serverNameEdit->text().trimmed();
        config.protocol = comboValue(m_ui->protocolCombo, QSsl::TlsV1_2OrLater);
        const auto alpn = TlsOptions::alpnProtocols(m_ui->alpnEdit->text());
        if (!alpn) {
            setStatus(alpn.error(), true);
            return false;
        }
        config.alpnProtocols = alpn.value();
        switch (comboValue(m_ui->caCombo, Trust::System)) {
        case Trust::System:
            config.useSystemCaCertificates = true;
            break;
        case Trust::Listener: {
            config.useSystemCaCertificates = false;
            // The root of the chain the listener serves: its CA when a CA signed it, the leaf when it is
            // self-signed. (Trusting a CA-signed leaf alone does not verify: OpenSSL looks for a self-signed root.)
            const QList<QSslCertificate> chain = m_listener->identity().chain;
            if (chain.isEmpty() || chain.last().isNull()) {
                setStatus(tr("The listener has no certificate yet: start it first"), true);
                return false;
            }
            config.caCertificates = {chain.last()};
            break;
        }
        case Trust::File: {
            config.useSystemCaCertificates = false;
            const auto anchors = TlsOptions::trustAnchors(m_ui->caFileEdit->text().trimmed());
            if (!anchors) {
                setStatus(anchors.error(), true);
                return false;
            }
            config.caCertificates = anchors.value();
            break;
        }
        }
        const QString cert = m_ui->clientCertEdit->text().trimmed();
        if (!cert.isEmpty()) {
            const QString key = m_ui->clientKeyEdit->text().trimmed();
            const Result<Identity> identity
                = TlsOptions::identity(cert, key, m_ui->clientPassphraseEdit->text().toUtf8());
            if (!identity) {
                setStatus(identity.error(), true);
                return false;
            }
            config.clientIdentity = identity.value();
        }
    }

    config.timeoutMs = m_ui->timeoutSpin->value() * 1000;
    return startClient(config);
}

bool ClientPanel::canResume() const
{
    return m_lastConfig.mode == ClientMode::Tls && !m_resumeTicket.isEmpty();
}

bool ClientPanel::reconnectResuming()
{
    if (!canResume())
        return false;
    ClientConfig config = m_lastConfig;
    config.sessionTicket = m_resumeTicket;
    return startClient(config);
}

void ClientPanel::keepSessionToResume(Client *client)
{
    if (client != m_client || client->config().mode != ClientMode::Tls)
        return;
    const QByteArray ticket = client->sessionTicket();
    if (!ticket.isEmpty())
        m_resumeTicket = ticket;
    updateButtons();
}

bool ClientPanel::startClient(const ClientConfig &config)
{
    m_lastConfig = config;
    m_lastConfig.sessionTicket.clear();
    m_resumeTicket.clear();
    if (m_client) {
        // The previous connection ends (the lab deletes it later); its session stays in the timeline.
        Client *previous = m_client;
        previous->disconnect(this);
        if (!previous->isFinished())
            previous->close();
    }
    hideVerification();
    m_ui->receivedView->clear();
    Client *client = m_lab->createClient();
    m_client = client;
    connect(client, &Client::connected, this, [this, client] {
        if (client->config().mode == ClientMode::Plaintext)
            setStatus(tr("Connected in plaintext to %1")
                          .arg(SocketFacts::endpoint(client->config().host, client->config().port)));
        else
            setStatus(tr("Connected; TLS handshake in progress…"));
        updateButtons();
    });
    connect(client, &Client::encrypted, this, [this, client] {
        const Session s = client->session();
        hideVerification();
        setStatus(tr("Encrypted: %1, %2%3")
                      .arg(s.protocol, s.cipher, s.untrusted ? tr(" — untrusted, errors ignored") : QString()));
        updateButtons();
    });
    connect(client, &Client::verificationFailed, this, &ClientPanel::onVerificationFailed);
    connect(client, &Client::dataReceived, this, [this](const QByteArray &data) {
        m_ui->receivedView->moveCursor(QTextCursor::End);
        m_ui->receivedView->insertPlainText(QString::fromUtf8(data));
        m_ui->receivedView->moveCursor(QTextCursor::End);
    });
    // The server's ticket (TLS 1.3) comes after the handshake, by the time it has accepted us; a TLS 1.2 session is
    // there at once. Either is what "reconnect, resuming" offers back.
    connect(client, &Client::accepted, this, [this, client] { keepSessionToResume(client); });
    connect(client, &Client::finished, this, [this, client] {
        keepSessionToResume(client);
        const Session s = client->session();
        const bool pending = !m_ui->verifyBox->isHidden();
        hideVerification();
        const bool ok = client->succeeded();
        // A server that gave up while the user was deciding: the certificate stays the reason, and that is said.
        const QString reason = pending && !s.verifyErrors.isEmpty()
            ? tr("the certificate could not be verified, and the server closed the connection while you decided")
            : s.reason;
        setStatus(tr("Finished (%1)%2").arg(stateName(s.state), reason.isEmpty() ? QString() : u": "_s + reason), !ok);
        updateButtons();
    });
    setStatus((config.sessionTicket.isEmpty() ? tr("Connecting to %1…") : tr("Connecting to %1, resuming…"))
                  .arg(SocketFacts::endpoint(config.host, config.port)));
    client->start(config);
    updateButtons();
    Q_EMIT clientStarted(client->sessionId());
    return true;
}

void ClientPanel::onVerificationFailed(const QList<QSslError> &errors)
{
    // The certificates concerned, in the order the errors name them: what "View certificate" shows.
    m_pendingChain.clear();
    for (const QSslError &e : errors) {
        if (!e.certificate().isNull() && !m_pendingChain.contains(e.certificate()))
            m_pendingChain.append(e.certificate());
    }
    QString text = u"<p>"_s + tr("The server's certificate could not be verified:") + u"</p><ul>"_s;
    for (const QSslError &e : errors) {
        text += u"<li><b>"_s + TlsText::errorWords(e.error()).toHtmlEscaped() + u"</b>"_s;
        if (!e.certificate().isNull()) {
            // The facts a decision rests on: who it names, who signed it, when it is valid, for which names.
            text += u" — "_s + TlsText::certificateName(e.certificate()).toHtmlEscaped();
            const CertificateDetails d = CertificateDetails::fromCertificate(e.certificate());
            QStringList names;
            for (const CertificateDetails::AltName &name : d.subjectAltNames)
                names.append(name.value);
            text += u"<br/>"_s + tr("Subject: %1").arg(d.subjectText).toHtmlEscaped() + u"<br/>"_s
                + tr("Issuer: %1").arg(d.issuerText).toHtmlEscaped() + u"<br/>"_s
                + tr("Valid: %1 to %2 (%3)").arg(d.notBeforeText, d.notAfterText, d.validityStatus()).toHtmlEscaped();
            if (!names.isEmpty())
                text += u"<br/>"_s + tr("Names: %1").arg(names.join(u", "_s)).toHtmlEscaped();
            // A zero-width space after each colon lets the long fingerprint wrap in the narrow dock.
            text += u"<br/><small>SHA-256 "_s + TlsText::sha256(e.certificate()).replace(u':', u":\u200B"_s)
                + u"</small>"_s;
        }
        text += u"</li>"_s;
    }
    text += u"</ul>"_s;
    // The verdict this connection would get if abandoned now: its fix is what to change so the question never comes.
    if (m_client) {
        Session s = m_client->session();
        s.verifyErrors = errors;
        s.state = SessionState::Failed;
        s.endUs = nowUs();
        DiagnosisInput input;
        input.session = s;
        const Timeline &timeline = m_lab->timeline();
        EventFilter filter;
        filter.sessions = {s.id};
        for (const qsizetype i : timeline.matching(filter, 0, timeline.eventCount()))
            input.events.append(timeline.event(i));
        if (const std::optional<Verdict> v = diagnose(input); v && !v->fix.isEmpty())
            text += u"<p><b>"_s + tr("Fix:") + u"</b> "_s + v->fix.toHtmlEscaped() + u"</p>"_s;
    }
    text += u"<p>"_s
        + tr("“Continue anyway” ignores exactly these errors for this connection only; the session is then marked "
             "untrusted.")
        + u"</p>"_s;
    m_ui->verifyLabel->setText(text);
    m_ui->viewCertificateButton->setEnabled(!m_pendingChain.isEmpty());
    m_ui->verifyBox->show();
    m_ui->abandonButton->setFocus();
    m_pendingSince.start();
    showPendingTime();
    m_pendingClock->start();
    setStatus(tr("Waiting for your decision"), true);
}

void ClientPanel::showPendingTime()
{
    m_ui->verifyElapsedLabel->setText(
        tr("Waiting for your decision for %1 s. The handshake timeout is paused meanwhile; a remote server may still "
           "give up.")
            .arg(m_pendingSince.isValid() ? m_pendingSince.elapsed() / 1000 : 0));
}

void ClientPanel::hideVerification()
{
    m_pendingClock->stop();
    m_pendingSince.invalidate();
    m_ui->verifyBox->hide();
}

int ClientPanel::pendingSeconds() const
{
    return m_ui->verifyBox->isHidden() || !m_pendingSince.isValid() ? -1 : int(m_pendingSince.elapsed() / 1000);
}

void ClientPanel::continueAnyway()
{
    if (!m_client)
        return;
    hideVerification();
    m_client->continueAnyway();
}

void ClientPanel::abandon()
{
    if (!m_client)
        return;
    hideVerification();
    m_client->abandon();
}

void ClientPanel::closeConnection()
{
    if (m_client && !m_client->isFinished())
        m_client->close();
    updateButtons();
}

void ClientPanel::sendText()
{
    if (!m_client || m_client->isFinished())
        return;
    const QString text = m_ui->sendEdit->text();
    m_client->send(text.toUtf8() + '\n');
    m_ui->sendEdit->clear();
}

void ClientPanel::loadSettings(const QSettings &settings)
{
    m_ui->hostEdit->setText(settings.value(u"client/host"_s, u"127.0.0.1"_s).toString());
    m_ui->portSpin->setValue(settings.value(u"client/port"_s, 4481).toInt());
    m_ui->serverNameEdit->setText(settings.value(u"client/serverName"_s).toString());
    setTrust(Trust(settings.value(u"client/trust"_s, int(Trust::Listener)).toInt()));
    m_ui->caFileEdit->setText(settings.value(u"client/caFile"_s).toString());
    m_ui->clientCertEdit->setText(settings.value(u"client/certificateFile"_s).toString());
    m_ui->clientKeyEdit->setText(settings.value(u"client/keyFile"_s).toString());
    m_ui->alpnEdit->setText(settings.value(u"client/alpn"_s).toString());
    m_ui->timeoutSpin->setValue(settings.value(u"client/timeoutSeconds"_s, 10).toInt());
}

void ClientPanel::saveSettings(QSettings &settings) const
{
    settings.setValue(u"client/host"_s, m_ui->hostEdit->text());
    settings.setValue(u"client/port"_s, m_ui->portSpin->value());
    settings.setValue(u"client/serverName"_s, m_ui->serverNameEdit->text());
    settings.setValue(u"client/trust"_s, int(comboValue(m_ui->caCombo, Trust::Listener)));
    settings.setValue(u"client/caFile"_s, m_ui->caFileEdit->text());
    settings.setValue(u"client/certificateFile"_s, m_ui->clientCertEdit->text());
    settings.setValue(u"client/keyFile"_s, m_ui->clientKeyEdit->text());
    settings.setValue(u"client/alpn"_s, m_ui->alpnEdit->text());
    settings.setValue(u"client/timeoutSeconds"_s, m_ui->timeoutSpin->value());
}

} // namespace TlsLab::Widgets
