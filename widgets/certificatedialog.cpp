#include "widgets/certificatedialog.h"

#include "model/certs/certificateio.h"
#include "ui_certificatedialog.h"

#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QRegularExpression>
#include <QScreen>
#include <QStandardPaths>
#include <QTimer>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace TlsLab::Widgets {

using Model::CertificateGenerator;
using Model::CertificateIo;
using Model::CertificatePlan;
using Model::CertificateProfile;
using Model::CertificateRequest;
using Model::Identity;
using Model::KeyType;

namespace {

bool needsIssuer(CertificateProfile p)
{
    return p == CertificateProfile::Server || p == CertificateProfile::Client
        || p == CertificateProfile::IntermediateCa;
}

bool isCaProfile(CertificateProfile p)
{
    return p == CertificateProfile::CertificateAuthority || p == CertificateProfile::IntermediateCa;
}

bool isRsa(KeyType type)
{
    return type == KeyType::Rsa2048 || type == KeyType::Rsa3072 || type == KeyType::Rsa4096;
}

struct ProfileDefaults
{
    QString commonName;
    QString sans;
    QString prefix;
    QString extendedKeyUsage;
    int validDays = 365;
    int pathLength = -1; // -1: unlimited (CA profiles only)
};

ProfileDefaults defaultsFor(CertificateProfile profile)
{
    const QString localSans = u"DNS:localhost\nIP:127.0.0.1\nIP:::1"_s;
    switch (profile) {
    case CertificateProfile::SelfSignedServer:
        return {u"localhost"_s, localSans, u"localhost"_s, u"serverAuth"_s, 365, -1};
    case CertificateProfile::CertificateAuthority:
        return {u"TLS Lab Test CA"_s, {}, u"ca"_s, {}, 3650, -1};
    case CertificateProfile::IntermediateCa:
        return {u"TLS Lab Intermediate CA"_s, {}, u"intermediate"_s, {}, 1825, 0};
    case CertificateProfile::Server:
        // 397 days: the longest lifetime browsers accept for a server certificate.
        return {u"localhost"_s, localSans, u"server"_s, u"serverAuth"_s, 397, -1};
    case CertificateProfile::Client:
        return {u"TLS Lab client"_s, {}, u"client"_s, u"clientAuth"_s, 365, -1};
    }
    return {};
}

QString keyUsageFor(CertificateProfile profile, KeyType keyType)
{
    if (isCaProfile(profile))
        return u"critical,digitalSignature,keyCertSign,cRLSign"_s;
    return isRsa(keyType) ? u"critical,digitalSignature,keyEncipherment"_s : u"critical,digitalSignature"_s;
}

QStringList splitSans(const QString &text)
{
    QStringList entries;
    const QStringList parts = text.split(QRegularExpression(u"[,\\n]"_s), Qt::SkipEmptyParts);
    for (const QString &part : parts) {
        const QString trimmed = part.trimmed();
        if (!trimmed.isEmpty())
            entries.append(trimmed);
    }
    return entries;
}

QDateTime nowUtcMinute()
{
    QDateTime now = QDateTime::currentDateTimeUtc().addSecs(-60);
    now.setTime(QTime(now.time().hour(), now.time().minute()));
    return now;
}

} // namespace

CertificateDialog::CertificateDialog(QWidget *parent)
    : QDialog(parent)
    , m_ui(std::make_unique<Ui::CertificateDialog>())
{
    m_ui->setupUi(this);
    // Wide enough that the subject fields show a typical name in full.
    // Never taller or wider than a small screen (1024x768, less a panel): the form shrinks to its minimum instead.
    QSize size(std::max(sizeHint().width(), 880), sizeHint().height());
    size = size.boundedTo(QSize(1000, 720));
    if (const QScreen *s = screen())
        size = size.boundedTo(s->availableGeometry().size());
    resize(size.expandedTo(minimumSizeHint()));

    const struct
    {
        CertificateProfile profile;
        QString text;
    } profiles[] = {
        {CertificateProfile::SelfSignedServer, tr("Self-signed server certificate")},
        {CertificateProfile::CertificateAuthority, tr("Local certificate authority (CA)")},
        {CertificateProfile::IntermediateCa, tr("Intermediate CA (signed by a CA)")},
        {CertificateProfile::Server, tr("Server certificate (signed by a CA)")},
        {CertificateProfile::Client, tr("Client certificate (signed by a CA)")},
    };
    for (const auto &p : profiles)
        m_ui->profileCombo->addItem(p.text, int(p.profile));

    const struct
    {
        KeyType type;
        QString text;
    } keyTypes[] = {
        {KeyType::EcP256, tr("ECDSA P-256")},
        {KeyType::EcP384, tr("ECDSA P-384")},
        {KeyType::Ed25519, tr("Ed25519")},
        {KeyType::Rsa2048, tr("RSA 2048")},
        {KeyType::Rsa3072, tr("RSA 3072")},
        {KeyType::Rsa4096, tr("RSA 4096 (slow)")},
    };
    for (const auto &k : keyTypes)
        m_ui->keyTypeCombo->addItem(k.text, int(k.type));
    for (const QString &digest : {u"SHA256"_s, u"SHA384"_s, u"SHA512"_s})
        m_ui->digestCombo->addItem(digest, digest); // OpenSSL's name as the value, whatever the text shows

    QString documents = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    m_ui->outputDirectoryEdit->setText(
        QDir::toNativeSeparators(QFileInfo::exists(documents) ? documents : QDir::homePath()));

    // Errors in a red that reads on light and dark palettes.
    QPalette errorPalette = m_ui->messageLabel->palette();
    const bool dark = errorPalette.color(QPalette::Window).lightness() < 128;
    errorPalette.setColor(QPalette::WindowText, dark ? QColor(0xff, 0x7b, 0x72) : QColor(0xc0, 0x1c, 0x28));
    m_ui->messageLabel->setPalette(errorPalette);
    m_ui->messageLabel->setAccessibleName(tr("Problems"));
    m_ui->summaryLabel->setAccessibleName(tr("Files to be written"));
    m_ui->resultLabel->hide();
    m_ui->progressBar->setRange(0, 100);
    m_ui->progressBar->hide();
    m_ui->cancelGenerationButton->hide();
    m_ui->keyUsageEdit->setToolTip(tr(
        "OpenSSL names, comma-separated, e.g. critical,digitalSignature,keyEncipherment. Empty: the profile default."));
    m_ui->extendedKeyUsageEdit->setToolTip(tr("OpenSSL names, comma-separated, e.g. serverAuth,clientAuth"));
    m_ui->pathLengthSpin->setToolTip(tr("How many intermediate CAs may follow this CA"));

    m_progressTimer = new QTimer(this);
    m_progressTimer->setInterval(30);
    connect(m_progressTimer, &QTimer::timeout, this, [this] {
        if (m_progress)
            m_ui->progressBar->setValue(m_progress->load());
    });

    connect(m_ui->profileCombo, &QComboBox::currentIndexChanged, this, [this] {
        applyProfileDefaults();
        loadIssuer();
        validate();
    });
    connect(m_ui->keyTypeCombo, &QComboBox::currentIndexChanged, this, [this] {
        setAutoText(m_ui->keyUsageEdit, keyUsageFor(profile(), keyType()));
        m_ui->digestCombo->setEnabled(keyType() != KeyType::Ed25519);
        validate();
    });
    for (QLineEdit *edit :
        {m_ui->commonNameEdit, m_ui->organizationEdit, m_ui->organizationalUnitEdit, m_ui->localityEdit,
            m_ui->stateEdit, m_ui->countryEdit, m_ui->emailEdit, m_ui->keyUsageEdit, m_ui->extendedKeyUsageEdit,
            m_ui->outputDirectoryEdit, m_ui->filePrefixEdit, m_ui->passphraseEdit, m_ui->passphraseRepeatEdit})
        connect(edit, &QLineEdit::textChanged, this, &CertificateDialog::validate);
    for (QLineEdit *edit : {m_ui->issuerCertificateEdit, m_ui->issuerKeyEdit, m_ui->issuerPassphraseEdit})
        connect(edit, &QLineEdit::textChanged, this, [this] {
            loadIssuer();
            validate();
        });
    connect(m_ui->sanEdit, &QPlainTextEdit::textChanged, this, &CertificateDialog::validate);
    connect(m_ui->notBeforeEdit, &QDateTimeEdit::dateTimeChanged, this, &CertificateDialog::validate);
    connect(m_ui->notAfterEdit, &QDateTimeEdit::dateTimeChanged, this, &CertificateDialog::validate);
    connect(m_ui->digestCombo, &QComboBox::currentIndexChanged, this, &CertificateDialog::validate);
    connect(m_ui->pathLengthSpin, &QSpinBox::valueChanged, this, &CertificateDialog::validate);
    for (QCheckBox *check : {m_ui->pkcs12Check, m_ui->derCheck, m_ui->overwriteCheck})
        connect(check, &QCheckBox::toggled, this, &CertificateDialog::validate);

    connect(m_ui->issuerCertificateBrowseButton, &QToolButton::clicked, this,
        [this] { browseIssuerFile(m_ui->issuerCertificateEdit, tr("Issuing CA certificate")); });
    connect(m_ui->issuerKeyBrowseButton, &QToolButton::clicked, this,
        [this] { browseIssuerFile(m_ui->issuerKeyEdit, tr("Issuing CA private key")); });
    connect(m_ui->outputDirectoryBrowseButton, &QToolButton::clicked, this, &CertificateDialog::browseOutputDirectory);
    connect(m_ui->generateButton, &QPushButton::clicked, this, &CertificateDialog::generate);
    connect(m_ui->cancelGenerationButton, &QPushButton::clicked, this, &CertificateDialog::cancelGeneration);
    connect(m_ui->closeButton, &QPushButton::clicked, this, &CertificateDialog::reject);

    applyProfileDefaults();
    loadIssuer();
    validate();
}

CertificateDialog::~CertificateDialog()
{
    // The worker owns copies of everything it needs; it only has to learn that nobody waits for it any more.
    if (m_cancel)
        m_cancel->store(true);
}

void CertificateDialog::setProfile(CertificateProfile profile)
{
    m_ui->profileCombo->setCurrentIndex(m_ui->profileCombo->findData(int(profile)));
}

CertificateProfile CertificateDialog::profile() const
{
    return CertificateProfile(m_ui->profileCombo->currentData().toInt());
}

void CertificateDialog::setKeyType(KeyType type)
{
    m_ui->keyTypeCombo->setCurrentIndex(m_ui->keyTypeCombo->findData(int(type)));
}

KeyType CertificateDialog::keyType() const
{
    return KeyType(m_ui->keyTypeCombo->currentData().toInt());
}

void CertificateDialog::setOutputDirectory(const QString &directory)
{
    m_ui->outputDirectoryEdit->setText(QDir::toNativeSeparators(directory));
}

QString CertificateDialog::outputDirectory() const
{
    return QDir::fromNativeSeparators(m_ui->outputDirectoryEdit->text().trimmed());
}

void CertificateDialog::setFilePrefix(const QString &prefix)
{
    m_ui->filePrefixEdit->setText(prefix);
}

void CertificateDialog::setIssuerFiles(const QString &certificatePath, const QString &keyPath)
{
    m_ui->issuerCertificateEdit->setText(QDir::toNativeSeparators(certificatePath));
    m_ui->issuerKeyEdit->setText(QDir::toNativeSeparators(keyPath));
}

void CertificateDialog::setAutoText(QLineEdit *edit, const QString &text)
{
    // Only fields the user has not changed follow the profile.
    if (edit->text().isEmpty() || edit->text() == m_autoTexts.value(edit)) {
        m_autoTexts.insert(edit, text);
        edit->setText(text);
    }
}

void CertificateDialog::applyProfileDefaults()
{
    const CertificateProfile p = profile();
    const ProfileDefaults d = defaultsFor(p);
    setAutoText(m_ui->commonNameEdit, d.commonName);
    setAutoText(m_ui->filePrefixEdit, d.prefix);
    setAutoText(m_ui->keyUsageEdit, keyUsageFor(p, keyType()));
    setAutoText(m_ui->extendedKeyUsageEdit, d.extendedKeyUsage);
    const QString sans = m_ui->sanEdit->toPlainText();
    if (sans.trimmed().isEmpty() || sans == m_autoSans) {
        m_autoSans = d.sans;
        m_ui->sanEdit->setPlainText(d.sans);
    }
    const QDateTime start = nowUtcMinute();
    m_ui->notBeforeEdit->setDateTime(start);
    m_ui->notAfterEdit->setDateTime(start.addDays(d.validDays));
    m_ui->pathLengthSpin->setValue(d.pathLength);
    m_ui->pathLengthSpin->setEnabled(isCaProfile(p));
    m_ui->pathLengthLabel->setEnabled(isCaProfile(p));
    m_ui->issuerBox->setEnabled(needsIssuer(p));
    m_ui->issuerBox->setTitle(needsIssuer(p) ? tr("Issuer") : tr("Issuer (not needed: self-signed)"));
}

CertificateRequest CertificateDialog::request() const
{
    CertificateRequest r;
    r.profile = profile();
    r.keyType = keyType();
    r.subject.commonName = m_ui->commonNameEdit->text().trimmed();
    r.subject.organization = m_ui->organizationEdit->text().trimmed();
    r.subject.organizationalUnit = m_ui->organizationalUnitEdit->text().trimmed();
    r.subject.locality = m_ui->localityEdit->text().trimmed();
    r.subject.state = m_ui->stateEdit->text().trimmed();
    r.subject.country = m_ui->countryEdit->text().trimmed().toUpper();
    r.subject.email = m_ui->emailEdit->text().trimmed();
    r.subjectAltNames = splitSans(m_ui->sanEdit->toPlainText());
    r.notBefore = m_ui->notBeforeEdit->dateTime().toUTC();
    r.notAfter = m_ui->notAfterEdit->dateTime().toUTC();
    r.keyUsage = m_ui->keyUsageEdit->text().trimmed();
    r.extendedKeyUsage = m_ui->extendedKeyUsageEdit->text().trimmed();
    if (isCaProfile(r.profile) && m_ui->pathLengthSpin->value() >= 0)
        r.pathLength = m_ui->pathLengthSpin->value();
    r.digest = m_ui->digestCombo->currentData().toString();
    if (needsIssuer(r.profile))
        r.issuer = m_issuer;
    return r;
}

QList<CertificatePlan::File> CertificateDialog::plannedFiles() const
{
    const QString prefix = m_ui->filePrefixEdit->text().trimmed();
    const QString dir = outputDirectory();
    if (prefix.isEmpty() || dir.isEmpty())
        return {};
    return CertificatePlan::filesForPrefix(QDir(dir).filePath(prefix), needsIssuer(profile()),
        m_ui->pkcs12Check->isChecked(), m_ui->derCheck->isChecked());
}

QString CertificateDialog::describe(const CertificatePlan::File &file) const
{
    switch (file.kind) {
    case CertificatePlan::File::Kind::Certificate:
        return tr("certificate (PEM)");
    case CertificatePlan::File::Kind::Key:
        return m_ui->passphraseEdit->text().isEmpty() ? tr("private key (PKCS#8 PEM, unencrypted, mode 0600)")
                                                      : tr("private key (PKCS#8 PEM, AES-256 encrypted, mode 0600)");
    case CertificatePlan::File::Kind::Chain:
        return tr("chain: the certificate and its issuers (PEM)");
    case CertificatePlan::File::Kind::Pkcs12:
        return tr("PKCS#12 bundle with the key and chain (mode 0600)");
    case CertificatePlan::File::Kind::Der:
        return tr("certificate (DER)");
    }
    return {};
}

void CertificateDialog::loadIssuer()
{
    m_issuer.reset();
    m_issuerError.clear();
    m_ui->issuerStatusLabel->clear();
    if (!needsIssuer(profile()))
        return;
    const QString certificatePath = QDir::fromNativeSeparators(m_ui->issuerCertificateEdit->text().trimmed());
    const QString keyPath = QDir::fromNativeSeparators(m_ui->issuerKeyEdit->text().trimmed());
    if (certificatePath.isEmpty()) {
        m_issuerError = tr("choose the issuing CA: its certificate and key (or a PKCS#12 bundle)");
        return;
    }
    const auto identity
        = CertificateIo::importIdentity(certificatePath, keyPath, m_ui->issuerPassphraseEdit->text().toUtf8());
    if (!identity) {
        m_issuerError = tr("issuer: %1").arg(identity.error());
        return;
    }
    m_issuer = *identity;
    m_ui->issuerStatusLabel->setText(tr("Signed by %1").arg(identity->leaf().subjectDisplayName()));
}

void CertificateDialog::validate()
{
    QStringList problems;
    const auto add = [&problems](const QString &problem) {
        if (!problem.isEmpty() && !problems.contains(problem))
            problems.append(problem);
    };
    const CertificateRequest r = request();
    if (r.subject.commonName.isEmpty())
        add(tr("the common name (CN) is empty"));
    if (const auto sans = CertificateGenerator::parseSubjectAltNames(r.subjectAltNames); !sans)
        add(sans.error());
    if (r.notAfter <= r.notBefore)
        add(tr("the end date is not after the start date"));
    if (needsIssuer(r.profile) && !m_issuer)
        add(m_issuerError);
    if (problems.isEmpty()) {
        // The model knows the rest (country code, digest, issuer is a CA, key matches); it reports one at a time.
        if (const auto status = CertificateGenerator::validate(r); !status)
            add(status.error());
    }

    const QString passphrase = m_ui->passphraseEdit->text();
    if (passphrase != m_ui->passphraseRepeatEdit->text())
        add(tr("the two key passphrases differ"));
    if (m_ui->pkcs12Check->isChecked() && passphrase.isEmpty())
        add(tr("a PKCS#12 bundle needs a passphrase (the key passphrase is used)"));

    const QString dir = outputDirectory();
    const QString prefix = m_ui->filePrefixEdit->text().trimmed();
    if (dir.isEmpty())
        add(tr("choose an output folder"));
    else if (!QFileInfo(dir).isDir())
        add(tr("the output folder %1 does not exist").arg(QDir::toNativeSeparators(dir)));
    if (prefix.isEmpty())
        add(tr("the file prefix is empty"));
    else if (prefix.contains(u'/') || prefix.contains(QDir::separator()))
        add(tr("the file prefix must not contain a folder separator"));
    if (!m_ui->overwriteCheck->isChecked()) {
        for (const CertificatePlan::File &file : plannedFiles()) {
            if (QFileInfo::exists(file.path))
                add(tr("%1 already exists (tick “Overwrite” to replace it)").arg(QDir::toNativeSeparators(file.path)));
        }
    }

    m_problems = problems;
    QStringList lines;
    for (const QString &problem : std::as_const(problems))
        lines.append(u"• "_s + problem);
    m_ui->messageLabel->setText(lines.join(u'\n'));
    m_ui->messageLabel->setVisible(!problems.isEmpty());
    m_ui->generateButton->setEnabled(problems.isEmpty() && !isGenerating());
    updateSummary();
}

void CertificateDialog::updateSummary()
{
    const QList<CertificatePlan::File> files = plannedFiles();
    if (files.isEmpty()) {
        m_ui->summaryLabel->setText(tr("Nothing will be written until a folder and a file prefix are given."));
        return;
    }
    QStringList lines;
    lines.append(tr("Generate writes into %1:").arg(QDir::toNativeSeparators(outputDirectory())));
    for (const CertificatePlan::File &file : files) {
        QString line = u"  %1 — %2"_s.arg(QFileInfo(file.path).fileName(), describe(file));
        if (QFileInfo::exists(file.path))
            line += m_ui->overwriteCheck->isChecked() ? tr(" (exists: will be REPLACED)") : tr(" (exists)");
        lines.append(line);
    }
    const auto sans = CertificateGenerator::parseSubjectAltNames(request().subjectAltNames);
    if (sans && !sans->isEmpty())
        lines.append(tr("Subject alternative names: %1").arg(sans->join(u", "_s)));
    m_ui->summaryLabel->setText(lines.join(u'\n'));
}

bool CertificateDialog::generate()
{
    validate();
    if (isGenerating() || !m_problems.isEmpty())
        return false;

    CertificatePlan plan;
    plan.files = plannedFiles();
    plan.passphrase = m_ui->passphraseEdit->text().toUtf8();
    plan.overwrite = m_ui->overwriteCheck->isChecked() ? CertificateIo::Overwrite::Yes : CertificateIo::Overwrite::No;
    plan.friendlyName = request().subject.commonName;

    m_cancel = std::make_shared<std::atomic<bool>>(false);
    m_progress = std::make_shared<std::atomic<int>>(0);
    const auto cancel = m_cancel;
    const auto progress = m_progress;

    // The worker touches nothing of the dialog: it reports through the two atomics and its result; the watcher (a
    // child of the dialog) delivers that result only while the dialog exists.
    m_watcher = new QFutureWatcher<CertificatePlan::Outcome>(this);
    connect(m_watcher, &QFutureWatcherBase::finished, this, &CertificateDialog::generationFinished);
    m_watcher->setFuture(QtConcurrent::run([plan = std::move(plan), request = request(), cancel, progress] {
        return plan.generateAndWrite(request, [&cancel, &progress](int percent) {
            if (percent >= 0)
                progress->store(percent);
            return !cancel->load();
        });
    }));
    setGenerating(true);
    return true;
}

void CertificateDialog::cancelGeneration()
{
    if (!m_cancel || !isGenerating())
        return;
    m_cancel->store(true);
    m_ui->cancelGenerationButton->setEnabled(false);
    m_ui->resultLabel->setText(tr("Cancelling…"));
}

void CertificateDialog::reject()
{
    // Escape or Close while generating cancels the generation first; the next one closes.
    if (isGenerating()) {
        cancelGeneration();
        return;
    }
    QDialog::reject();
}

void CertificateDialog::setGenerating(bool generating)
{
    for (QWidget *box : {static_cast<QWidget *>(m_ui->certificateBox), static_cast<QWidget *>(m_ui->subjectBox),
             static_cast<QWidget *>(m_ui->sanBox), static_cast<QWidget *>(m_ui->usageBox),
             static_cast<QWidget *>(m_ui->outputBox)})
        box->setEnabled(!generating);
    m_ui->issuerBox->setEnabled(!generating && needsIssuer(profile()));
    m_ui->generateButton->setEnabled(!generating && m_problems.isEmpty());
    m_ui->progressBar->setVisible(generating);
    m_ui->cancelGenerationButton->setVisible(generating);
    m_ui->cancelGenerationButton->setEnabled(generating);
    if (generating) {
        m_ui->progressBar->setValue(0);
        m_ui->resultLabel->setText(keyType() == KeyType::Rsa4096 || keyType() == KeyType::Rsa3072
                ? tr("Generating the RSA key (this can take a few seconds)…")
                : tr("Generating…"));
        m_ui->resultLabel->show();
        m_ui->cancelGenerationButton->setFocus();
        m_progressTimer->start();
    } else {
        m_progressTimer->stop();
    }
}

void CertificateDialog::generationFinished()
{
    const CertificatePlan::Outcome outcome = m_watcher->result();
    m_watcher->deleteLater();
    m_watcher = nullptr;
    m_cancel.reset();
    m_progress.reset();
    setGenerating(false);

    if (!outcome.identity) {
        QString text = outcome.cancelled ? tr("Cancelled: nothing was written.") : tr("Failed: %1").arg(outcome.error);
        if (!outcome.written.isEmpty()) {
            QStringList names;
            for (const QString &path : outcome.written)
                names.append(QDir::toNativeSeparators(path));
            text += u'\n' + tr("Already written: %1").arg(names.join(u", "_s));
        }
        m_ui->resultLabel->setText(text);
        m_ui->generateButton->setFocus();
        validate();
        Q_EMIT generationFailed(outcome.cancelled ? CertificateGenerator::cancelledMessage() : outcome.error);
        return;
    }

    m_ui->progressBar->setValue(100);
    QStringList lines {
        tr("Created %1 in %2:").arg(outcome.identity->description(), QDir::toNativeSeparators(outputDirectory()))};
    for (const QString &path : outcome.written)
        lines.append(u"  "_s + QDir::toNativeSeparators(path));
    m_ui->resultLabel->setText(lines.join(u'\n'));
    m_ui->resultLabel->show();
    // The files now exist: validation switches Generate off until the prefix changes or Overwrite is ticked.
    validate();
    Q_EMIT identityCreated(*outcome.identity);
}

void CertificateDialog::browseIssuerFile(QLineEdit *edit, const QString &title)
{
    const QString current = QDir::fromNativeSeparators(edit->text().trimmed());
    auto *dialog = new QFileDialog(this, title, current.isEmpty() ? outputDirectory() : QFileInfo(current).path(),
        tr("Certificates and keys (*.pem *.crt *.cer *.der *.key *.p12 *.pfx);;All files (*)"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setFileMode(QFileDialog::ExistingFile);
    connect(dialog, &QFileDialog::fileSelected, edit,
        [edit](const QString &path) { edit->setText(QDir::toNativeSeparators(path)); });
    dialog->open();
}

void CertificateDialog::browseOutputDirectory()
{
    auto *dialog = new QFileDialog(this, tr("Output folder"), outputDirectory());
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setFileMode(QFileDialog::Directory);
    dialog->setOption(QFileDialog::ShowDirsOnly);
    connect(dialog, &QFileDialog::fileSelected, this, &CertificateDialog::setOutputDirectory);
    dialog->open();
}

} // namespace TlsLab::Widgets
