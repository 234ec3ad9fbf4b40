#include "widgets/listenerpanel.h"

#include "model/tls/plaintextpayload.h"
#include "model/tls/socketfacts.h"
#include "model/tls/tlsoptions.h"
#include "model/tls/tlstext.h"
#include "ui_listenerpanel.h"
#include "widgets/filechooser.h"
#include "widgets/optioncombos.h"

#include <QDir>
#include <QSettings>
#include <QStandardItemModel>

using namespace Qt::StringLiterals;

namespace TlsLab::Widgets {

using namespace TlsLab::Model;

ListenerPanel::ListenerPanel(Listener *listener, QWidget *parent)
    : QWidget(parent)
    , m_ui(std::make_unique<Ui::ListenerPanel>())
    , m_listener(listener)
{
    m_ui->setupUi(this);
    m_ui->certificateCombo->addItem(tr("Development certificate"), int(CertificateSource::Development));
    m_ui->certificateCombo->addItem(tr("From files…"), int(CertificateSource::Files));
    m_ui->certificateCombo->addItem(tr("Generate…"), int(CertificateSource::Generate));
    m_ui->certificateFileEdit->setToolTip(
        tr("A PEM or DER certificate (chain), with its key below; or a PKCS#12 bundle (.p12), key left empty"));
    m_ui->peerVerifyCombo->addItem(tr("None"), int(PeerVerify::None));
    m_ui->peerVerifyCombo->addItem(tr("Request a client certificate"), int(PeerVerify::Request));
    m_ui->peerVerifyCombo->addItem(tr("Require a client certificate"), int(PeerVerify::Require));
    fillProtocolCombo(m_ui->protocolCombo);
    fillPayloadCombo(m_ui->payloadCombo);
    m_ui->errorLabel->setForegroundRole(QPalette::BrightText);
    m_ui->errorLabel->hide();
    m_ui->startButton->setIcon(QIcon(u":/icons/start.svg"_s));
    m_ui->plaintextButton->setIcon(QIcon(u":/icons/plaintext.svg"_s));
    m_ui->plaintextButton->setToolTip(tr("Connect to the running listener without TLS and send the payload"));

    connect(m_ui->startButton, &QPushButton::clicked, this, &ListenerPanel::toggleListener);
    connect(m_ui->plaintextButton, &QPushButton::clicked, this, &ListenerPanel::requestPlaintextConnect);
    connect(m_ui->certificateCombo, &QComboBox::currentIndexChanged, this, &ListenerPanel::updateCertificateSource);
    connect(m_ui->certificateBrowseButton, &QToolButton::clicked, this,
        [this] { chooseCertificateFile(m_ui->certificateFileEdit, tr("Listener certificate")); });
    connect(m_ui->keyBrowseButton, &QToolButton::clicked, this,
        [this] { chooseCertificateFile(m_ui->keyFileEdit, tr("Listener private key")); });
    connect(m_ui->payloadCombo, &QComboBox::currentIndexChanged, this, [this] {
        const PayloadKind kind = comboValue(m_ui->payloadCombo, PayloadKind::TextLine);
        m_ui->payloadEdit->setEnabled(kind != PayloadKind::Nothing);
        m_ui->payloadEdit->setText(examplePayloadText(kind));
    });
    connect(m_listener, &Listener::started, this, &ListenerPanel::updateState);
    connect(m_listener, &Listener::stopped, this, &ListenerPanel::updateState);
    connect(m_listener, &Listener::countersChanged, this, &ListenerPanel::updateCounters);
    updateCertificateSource();
    updateState();
    updateCounters();
}

ListenerPanel::~ListenerPanel() = default;

void ListenerPanel::updateCertificateSource()
{
    const CertificateSource source = comboValue(m_ui->certificateCombo, CertificateSource::Development);
    m_ui->fileBox->setVisible(source == CertificateSource::Files);
    if (source == CertificateSource::Generate)
        Q_EMIT generateCertificateRequested();
    else
        m_previousCertificateSource = source;
}

void ListenerPanel::useCertificateFiles(const QString &certificatePath, const QString &keyPath)
{
    setComboValue(m_ui->certificateCombo, CertificateSource::Files);
    m_ui->certificateFileEdit->setText(QDir::toNativeSeparators(certificatePath));
    m_ui->keyFileEdit->setText(QDir::toNativeSeparators(keyPath));
    m_ui->passphraseEdit->clear();
}

void ListenerPanel::cancelGenerate()
{
    if (comboValue(m_ui->certificateCombo, CertificateSource::Development) == CertificateSource::Generate)
        setComboValue(m_ui->certificateCombo, m_previousCertificateSource);
}

void ListenerPanel::showError(const QString &message)
{
    m_ui->errorLabel->setText(message);
    m_ui->errorLabel->setVisible(!message.isEmpty());
    // Red text from the palette's link-visited role would be too subtle; derive an error colour that keeps contrast.
    QPalette p = m_ui->errorLabel->palette();
    const bool dark = palette().color(QPalette::Window).lightness() < 128;
    p.setColor(QPalette::WindowText, dark ? QColor(255, 120, 110) : QColor(180, 30, 20));
    m_ui->errorLabel->setPalette(p);
    m_ui->errorLabel->setForegroundRole(QPalette::WindowText);
}

QString ListenerPanel::errorText() const
{
    return m_ui->errorLabel->isHidden() ? QString() : m_ui->errorLabel->text();
}

QString ListenerPanel::stateText() const
{
    return m_ui->stateLabel->text();
}

bool ListenerPanel::startListener()
{
    showError({});
    ListenerConfig config;
    const QString addressText = m_ui->addressEdit->text().trimmed();
    QHostAddress address;
    if (addressText.isEmpty() || addressText == u"localhost"_s)
        address = QHostAddress(QHostAddress::LocalHost);
    else if (addressText == u"*"_s || addressText == u"any"_s)
        address = QHostAddress(QHostAddress::Any);
    else if (!address.setAddress(addressText)) {
        showError(tr("\"%1\" is not an IP address").arg(addressText));
        return false;
    }
    config.address = address;
    config.port = quint16(m_ui->portSpin->value());
    if (comboValue(m_ui->certificateCombo, CertificateSource::Development) == CertificateSource::Files) {
        const QString cert = m_ui->certificateFileEdit->text().trimmed();
        if (cert.isEmpty()) {
            showError(tr("Choose a certificate file, or use the development certificate"));
            return false;
        }
        // An empty key: a PKCS#12 bundle, or a PEM file that holds the key too.
        const Result<Identity> identity
            = TlsOptions::identity(cert, m_ui->keyFileEdit->text().trimmed(), m_ui->passphraseEdit->text().toUtf8());
        if (!identity) {
            showError(identity.error());
            return false;
        }
        config.identity = identity.value();
    }
    config.peerVerify = comboValue(m_ui->peerVerifyCombo, PeerVerify::None);
    config.protocol = comboValue(m_ui->protocolCombo, QSsl::TlsV1_2OrLater);
    const auto alpn = TlsOptions::alpnProtocols(m_ui->alpnEdit->text());
    if (!alpn) {
        showError(alpn.error());
        return false;
    }
    config.alpnProtocols = alpn.value();
    const QString greeting = m_ui->greetingEdit->text();
    config.greeting = greeting.isEmpty() ? QByteArray() : greeting.toUtf8() + '\n';
    config.handshakeTimeoutMs = m_ui->timeoutSpin->value();
    const Status status = m_listener->start(config);
    if (!status) {
        showError(status.error());
        updateState();
        return false;
    }
    updateState();
    return true;
}

void ListenerPanel::stopListener()
{
    m_listener->stop();
    updateState();
}

void ListenerPanel::toggleListener()
{
    if (m_listener->isListening())
        stopListener();
    else
        startListener();
}

void ListenerPanel::requestPlaintextConnect()
{
    if (!m_listener->isListening()) {
        showError(tr("Start the listener first"));
        return;
    }
    const Result<QByteArray> payload = makePayload(comboValue(m_ui->payloadCombo, PayloadKind::TextLine),
        m_ui->payloadEdit->text(), SocketFacts::endpoint(m_listener->address().toString(), m_listener->port()));
    if (!payload) {
        showError(payload.error());
        return;
    }
    showError({});
    Q_EMIT plaintextConnectRequested(payload.value());
}

void ListenerPanel::updateState()
{
    const bool listening = m_listener->isListening();
    m_ui->startButton->setText(listening ? tr("&Stop listener") : tr("&Start listener"));
    m_ui->startButton->setIcon(QIcon(listening ? u":/icons/stop.svg"_s : u":/icons/start.svg"_s));
    m_ui->plaintextButton->setEnabled(listening);
    for (QWidget *w : {static_cast<QWidget *>(m_ui->addressEdit), static_cast<QWidget *>(m_ui->portSpin),
             static_cast<QWidget *>(m_ui->certificateCombo), static_cast<QWidget *>(m_ui->fileBox),
             static_cast<QWidget *>(m_ui->peerVerifyCombo), static_cast<QWidget *>(m_ui->protocolCombo),
             static_cast<QWidget *>(m_ui->alpnEdit), static_cast<QWidget *>(m_ui->greetingEdit),
             static_cast<QWidget *>(m_ui->timeoutSpin)})
        w->setEnabled(!listening);
    if (!listening) {
        m_ui->stateLabel->setText(tr("Stopped"));
        m_ui->stateLabel->setToolTip({});
        return;
    }
    const Identity &identity = m_listener->identity();
    const QString fingerprint = identity.sha256Fingerprint();
    m_ui->stateLabel->setText(tr("Listening on %1 — %2, SHA-256 %3…")
                                  .arg(SocketFacts::endpoint(m_listener->address().toString(), m_listener->port()),
                                      identity.description(), fingerprint.left(14)));
    m_ui->stateLabel->setToolTip(tr("SHA-256 %1").arg(fingerprint));
}

void ListenerPanel::updateCounters()
{
    const Listener::Counters c = m_listener->counters();
    m_ui->countersLabel->setText(tr("Connections %1 · encrypted %2 · refused %3 · failed %4")
                                     .arg(c.connections)
                                     .arg(c.encrypted)
                                     .arg(c.refused)
                                     .arg(c.failed));
}

void ListenerPanel::loadSettings(const QSettings &settings)
{
    m_ui->addressEdit->setText(settings.value(u"listener/address"_s, u"127.0.0.1"_s).toString());
    m_ui->portSpin->setValue(settings.value(u"listener/port"_s, 4481).toInt());
    m_ui->certificateFileEdit->setText(settings.value(u"listener/certificateFile"_s).toString());
    m_ui->keyFileEdit->setText(settings.value(u"listener/keyFile"_s).toString());
    const auto source = CertificateSource(settings.value(u"listener/certificateSource"_s, 0).toInt());
    // "Generate…" is an action, not a state to come back to.
    setComboValue(m_ui->certificateCombo,
        source == CertificateSource::Files ? CertificateSource::Files : CertificateSource::Development);
    m_ui->alpnEdit->setText(settings.value(u"listener/alpn"_s).toString());
    setComboValue(m_ui->payloadCombo, PayloadKind(settings.value(u"listener/payloadKind"_s, 0).toInt()));
}

void ListenerPanel::saveSettings(QSettings &settings) const
{
    // Never the passphrase.
    settings.setValue(u"listener/address"_s, m_ui->addressEdit->text());
    settings.setValue(u"listener/port"_s, m_ui->portSpin->value());
    settings.setValue(u"listener/certificateFile"_s, m_ui->certificateFileEdit->text());
    settings.setValue(u"listener/keyFile"_s, m_ui->keyFileEdit->text());
    settings.setValue(
        u"listener/certificateSource"_s, int(comboValue(m_ui->certificateCombo, CertificateSource::Development)));
    settings.setValue(u"listener/alpn"_s, m_ui->alpnEdit->text());
    settings.setValue(u"listener/payloadKind"_s, int(comboValue(m_ui->payloadCombo, PayloadKind::TextLine)));
}

} // namespace TlsLab::Widgets
