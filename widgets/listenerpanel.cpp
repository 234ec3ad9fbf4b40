#include "widgets/listenerpanel.h"

#include "model/certs/certificateio.h"
#include "model/tls/socketfacts.h"
#include "model/tls/tlstext.h"
#include "ui_listenerpanel.h"
#include "widgets/filechooser.h"
#include "widgets/plaintextpayload.h"

#include <QDir>
#include <QSettings>
#include <QStandardItemModel>

using namespace Qt::StringLiterals;

namespace TlsLab::Widgets {

using namespace TlsLab::Model;

namespace {
enum CertificateSource { DevelopmentCertificate, FromFiles, Generate };

QSsl::SslProtocol protocolAt(int index)
{
    switch (index) {
    case 1:
        return QSsl::TlsV1_3OrLater;
    case 2:
        return QSsl::TlsV1_2;
    case 3:
        return QSsl::TlsV1_3;
    default:
        return QSsl::TlsV1_2OrLater;
    }
}

QList<QByteArray> alpnList(const QString &text)
{
    QList<QByteArray> out;
    for (const QString &part : text.split(u',', Qt::SkipEmptyParts)) {
        const QString p = part.trimmed();
        if (!p.isEmpty())
            out.append(p.toUtf8());
    }
    return out;
}
} // namespace

ListenerPanel::ListenerPanel(Listener *listener, QWidget *parent)
    : QWidget(parent)
    , m_ui(std::make_unique<Ui::ListenerPanel>())
    , m_listener(listener)
{
    m_ui->setupUi(this);
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
    connect(m_ui->payloadCombo, &QComboBox::currentIndexChanged, this, [this](int index) {
        m_ui->payloadEdit->setEnabled(PayloadKind(index) != PayloadKind::Nothing);
        static const QStringList examples = {u"hello"_s, u"/"_s, u"16 03 01 00 05 68 65 6c 6c 6f"_s, QString()};
        m_ui->payloadEdit->setText(examples.value(index));
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
    const int source = m_ui->certificateCombo->currentIndex();
    m_ui->fileBox->setVisible(source == FromFiles);
    if (source == Generate)
        Q_EMIT generateCertificateRequested();
    else
        m_previousCertificateSource = source;
}

void ListenerPanel::useCertificateFiles(const QString &certificatePath, const QString &keyPath)
{
    m_ui->certificateCombo->setCurrentIndex(FromFiles);
    m_ui->certificateFileEdit->setText(QDir::toNativeSeparators(certificatePath));
    m_ui->keyFileEdit->setText(QDir::toNativeSeparators(keyPath));
    m_ui->passphraseEdit->clear();
}

void ListenerPanel::cancelGenerate()
{
    if (m_ui->certificateCombo->currentIndex() == Generate)
        m_ui->certificateCombo->setCurrentIndex(m_previousCertificateSource);
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
    if (m_ui->certificateCombo->currentIndex() == FromFiles) {
        const QString cert = m_ui->certificateFileEdit->text().trimmed();
        QString key = m_ui->keyFileEdit->text().trimmed();
        if (cert.isEmpty()) {
            showError(tr("Choose a certificate file, or use the development certificate"));
            return false;
        }
        if (key.isEmpty())
            key = cert;
        Result<Identity> identity = CertificateIo::loadIdentity(cert, key, m_ui->passphraseEdit->text().toUtf8());
        if (!identity) {
            showError(identity.error());
            return false;
        }
        config.identity = identity.value();
    }
    config.peerVerify = PeerVerify(m_ui->peerVerifyCombo->currentIndex());
    config.protocol = protocolAt(m_ui->protocolCombo->currentIndex());
    config.alpnProtocols = alpnList(m_ui->alpnEdit->text());
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
    const Result<QByteArray> payload = makePayload(PayloadKind(m_ui->payloadCombo->currentIndex()),
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
    const int source = settings.value(u"listener/certificateSource"_s, 0).toInt();
    m_ui->certificateCombo->setCurrentIndex(source == FromFiles ? FromFiles : DevelopmentCertificate);
    m_ui->alpnEdit->setText(settings.value(u"listener/alpn"_s).toString());
    m_ui->payloadCombo->setCurrentIndex(settings.value(u"listener/payloadKind"_s, 0).toInt());
}

void ListenerPanel::saveSettings(QSettings &settings) const
{
    // Never the passphrase.
    settings.setValue(u"listener/address"_s, m_ui->addressEdit->text());
    settings.setValue(u"listener/port"_s, m_ui->portSpin->value());
    settings.setValue(u"listener/certificateFile"_s, m_ui->certificateFileEdit->text());
    settings.setValue(u"listener/keyFile"_s, m_ui->keyFileEdit->text());
    settings.setValue(u"listener/certificateSource"_s, m_ui->certificateCombo->currentIndex());
    settings.setValue(u"listener/alpn"_s, m_ui->alpnEdit->text());
    settings.setValue(u"listener/payloadKind"_s, m_ui->payloadCombo->currentIndex());
}

} // namespace TlsLab::Widgets
