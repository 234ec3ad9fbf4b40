#include "widgets/certificatedialog.h"

#include "model/certs/certificateio.h"
#include "ui_certificatedialog.h"

#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QListWidget>
#include <QRegularExpression>
#include <QScopedValueRollback>
#include <QScreen>
#include <QSettings>
#include <QStandardPaths>
#include <QTimer>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <cmath>

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
    int validDays = 365;
    int pathLength = -1; // -1: unlimited (CA profiles only)
};

ProfileDefaults defaultsFor(CertificateProfile profile)
{
    const QString localSans = u"DNS:localhost\nIP:127.0.0.1\nIP:::1"_s;
    switch (profile) {
    case CertificateProfile::SelfSignedServer:
        return {u"localhost"_s, localSans, u"localhost"_s, 365, -1};
    case CertificateProfile::CertificateAuthority:
        return {u"TLS Lab Test CA"_s, {}, u"ca"_s, 3650, -1};
    case CertificateProfile::IntermediateCa:
        return {u"TLS Lab Intermediate CA"_s, {}, u"intermediate"_s, 1825, 0};
    case CertificateProfile::Server:
        // 397 days: within the longest lifetime browsers accept for a server certificate (398).
        return {u"localhost"_s, localSans, u"server"_s, 397, -1};
    case CertificateProfile::Client:
        return {u"TLS Lab client"_s, {}, u"client"_s, 365, -1};
    }
    return {};
}

bool isServerProfile(CertificateProfile p)
{
    return p == CertificateProfile::SelfSignedServer || p == CertificateProfile::Server;
}

bool isEc(KeyType type)
{
    return type == KeyType::EcP256 || type == KeyType::EcP384;
}

// The settings the dialog keeps between runs (never a passphrase).
const QString outputDirectoryKey = u"certificates/outputDirectory"_s;
const QString lastCaCertificateKey = u"certificates/lastCaCertificate"_s;
const QString lastCaKeyKey = u"certificates/lastCaKey"_s;

constexpr int usageRole = Qt::UserRole; // OpenSSL's name of the usage, what the request carries

struct Usage
{
    const char16_t *name; // OpenSSL's configuration name
    const char *text; // what `openssl x509 -text` calls it
};
constexpr Usage keyUsages[] = {
    {u"digitalSignature", QT_TRANSLATE_NOOP("TlsLab::Widgets::CertificateDialog", "Digital Signature")},
    {u"nonRepudiation", QT_TRANSLATE_NOOP("TlsLab::Widgets::CertificateDialog", "Non Repudiation")},
    {u"keyEncipherment", QT_TRANSLATE_NOOP("TlsLab::Widgets::CertificateDialog", "Key Encipherment")},
    {u"dataEncipherment", QT_TRANSLATE_NOOP("TlsLab::Widgets::CertificateDialog", "Data Encipherment")},
    {u"keyAgreement", QT_TRANSLATE_NOOP("TlsLab::Widgets::CertificateDialog", "Key Agreement")},
    {u"keyCertSign", QT_TRANSLATE_NOOP("TlsLab::Widgets::CertificateDialog", "Certificate Sign")},
    {u"cRLSign", QT_TRANSLATE_NOOP("TlsLab::Widgets::CertificateDialog", "CRL Sign")},
};
constexpr Usage extendedKeyUsages[] = {
    {u"serverAuth", QT_TRANSLATE_NOOP("TlsLab::Widgets::CertificateDialog", "TLS server")},
    {u"clientAuth", QT_TRANSLATE_NOOP("TlsLab::Widgets::CertificateDialog", "TLS client")},
    {u"emailProtection", QT_TRANSLATE_NOOP("TlsLab::Widgets::CertificateDialog", "Email")},
    {u"codeSigning", QT_TRANSLATE_NOOP("TlsLab::Widgets::CertificateDialog", "Code signing")},
    {u"timeStamping", QT_TRANSLATE_NOOP("TlsLab::Widgets::CertificateDialog", "Time stamping")},
    {u"OCSPSigning", QT_TRANSLATE_NOOP("TlsLab::Widgets::CertificateDialog", "OCSP signing")},
};

// Why a key usage does not fit this profile and key type (empty: it fits).
QString keyUsageUnfit(QStringView name, CertificateProfile profile, KeyType keyType)
{
    if ((name == u"keyEncipherment" || name == u"dataEncipherment") && !isRsa(keyType))
        return CertificateDialog::tr("needs an RSA key: EC and Ed25519 keys cannot encrypt");
    if (name == u"keyAgreement" && !isEc(keyType))
        return CertificateDialog::tr("needs an EC key (ECDH): RSA and Ed25519 keys cannot agree on keys");
    if ((name == u"keyCertSign" || name == u"cRLSign") && !isCaProfile(profile))
        return CertificateDialog::tr("only a CA certificate signs certificates and revocation lists");
    return {};
}

// Why an extended key usage does not fit this profile (empty: it fits). A CA may carry any of them, limiting what it
// issues; a TLS leaf carries the TLS purposes (and a client certificate may protect email).
QString extendedKeyUsageUnfit(QStringView name, CertificateProfile profile)
{
    if (isCaProfile(profile))
        return {};
    if (isServerProfile(profile) && name != u"serverAuth" && name != u"clientAuth")
        return CertificateDialog::tr("not a purpose of a TLS server certificate");
    if (profile == CertificateProfile::Client && name != u"clientAuth" && name != u"emailProtection")
        return CertificateDialog::tr("not a purpose of a TLS client certificate");
    return {};
}

QStringList defaultKeyUsages(CertificateProfile profile, KeyType keyType)
{
    if (isCaProfile(profile))
        return {u"digitalSignature"_s, u"keyCertSign"_s, u"cRLSign"_s};
    return isRsa(keyType) ? QStringList {u"digitalSignature"_s, u"keyEncipherment"_s}
                          : QStringList {u"digitalSignature"_s};
}

QStringList defaultExtendedKeyUsages(CertificateProfile profile)
{
    if (isServerProfile(profile))
        return {u"serverAuth"_s};
    if (profile == CertificateProfile::Client)
        return {u"clientAuth"_s};
    return {};
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
    populateUsageLists();

    // The folder of the last certificates made, if it is still there; else the documents folder.
    const QString remembered = QSettings().value(outputDirectoryKey).toString();
    const QString documents = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    m_remembersOutputDirectory = !remembered.isEmpty() && QFileInfo(remembered).isDir();
    m_ui->outputDirectoryEdit->setText(QDir::toNativeSeparators(m_remembersOutputDirectory ? remembered
            : QFileInfo::exists(documents)                                                 ? documents
                                                                                           : QDir::homePath()));

    // Errors in a red that reads on light and dark palettes.
    QPalette errorPalette = m_ui->messageLabel->palette();
    const bool dark = errorPalette.color(QPalette::Window).lightness() < 128;
    errorPalette.setColor(QPalette::WindowText, dark ? QColor(0xff, 0x7b, 0x72) : QColor(0xc0, 0x1c, 0x28));
    m_ui->messageLabel->setPalette(errorPalette);
    // One line that never widens the dialog (a word-wrapped label got no height at all in the crowded column).
    m_ui->issuerStatusLabel->setWordWrap(false);
    m_ui->issuerStatusLabel->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Fixed);
    m_ui->messageLabel->setAccessibleName(tr("Problems"));
    m_ui->noteLabel->setAccessibleName(tr("Notes"));
    m_ui->noteLabel->hide();
    m_ui->summaryLabel->setAccessibleName(tr("Files to be written"));
    m_ui->resultLabel->hide();
    m_ui->progressBar->setAccessibleName(tr("Generation in progress"));
    m_ui->progressBar->hide();
    m_ui->cancelGenerationButton->hide();
    m_ui->keyUsageList->setAccessibleName(tr("Key usage"));
    m_ui->extendedKeyUsageList->setAccessibleName(tr("Extended key usage"));
    m_ui->keyUsageCriticalCheck->setToolTip(
        tr("RFC 5280 asks for a critical key usage: a verifier that does not understand it must reject the "
           "certificate"));
    m_ui->validDaysSpin->setAccessibleName(tr("Valid for, in days from now"));
    m_ui->validDaysSpin->setToolTip(
        tr("Days from now until the end date. Negative: a certificate that has already expired (for tests)."));
    m_ui->pathLengthSpin->setToolTip(tr("How many intermediate CAs may follow this CA"));

    // Generation runs on a worker thread: a text names the step it is at, the bar only says that it is busy (the
    // prime search of an RSA key takes as long as it takes; a percentage would be invented).
    m_progressTimer = new QTimer(this);
    m_progressTimer->setInterval(100);
    connect(m_progressTimer, &QTimer::timeout, this, [this] {
        if (!m_progress || !isRsa(keyType()))
            return;
        const int percent = m_progress->load();
        m_ui->resultLabel->setText(percent < 50 ? tr("Generating the RSA key: searching for the first prime…")
                : percent < 95                  ? tr("Generating the RSA key: searching for the second prime…")
                                                : tr("Signing the certificate and writing the files…"));
    });

    connect(m_ui->profileCombo, &QComboBox::currentIndexChanged, this, [this] {
        applyProfileDefaults();
        loadIssuer();
        validate();
    });
    connect(m_ui->keyTypeCombo, &QComboBox::currentIndexChanged, this, [this] {
        updateUsageLists();
        m_ui->digestCombo->setEnabled(keyType() != KeyType::Ed25519);
        validate();
    });
    for (QLineEdit *edit : {m_ui->commonNameEdit, m_ui->organizationEdit, m_ui->organizationalUnitEdit,
             m_ui->localityEdit, m_ui->stateEdit, m_ui->countryEdit, m_ui->emailEdit, m_ui->outputDirectoryEdit,
             m_ui->filePrefixEdit, m_ui->passphraseEdit, m_ui->passphraseRepeatEdit})
        connect(edit, &QLineEdit::textChanged, this, &CertificateDialog::validate);
    for (QLineEdit *edit : {m_ui->issuerCertificateEdit, m_ui->issuerKeyEdit, m_ui->issuerPassphraseEdit})
        connect(edit, &QLineEdit::textChanged, this, [this] {
            loadIssuer();
            validate();
        });
    connect(m_ui->sanEdit, &QPlainTextEdit::textChanged, this, &CertificateDialog::validate);
    for (QDateTimeEdit *edit : {m_ui->notBeforeEdit, m_ui->notAfterEdit}) {
        // Qt's date editor drops a digit typed into a full section (a year that has its four digits) unless the
        // section is selected, and a click only places the cursor: typing a date did nothing. A click now selects
        // the section it lands on, as Tab does (eventFilter).
        if (auto *text = edit->findChild<QLineEdit *>())
            text->installEventFilter(this);
        connect(edit, &QDateTimeEdit::dateTimeChanged, this, [this] {
            if (m_updating)
                return;
            m_validityEdited = true;
            updateValidDays();
            validate();
        });
    }
    connect(m_ui->validDaysSpin, &QSpinBox::valueChanged, this, [this](int days) {
        if (m_updating)
            return;
        m_validityEdited = true;
        applyValidity(days);
        validate();
    });
    for (QListWidget *list : {m_ui->keyUsageList, m_ui->extendedKeyUsageList}) {
        connect(list, &QListWidget::itemChanged, this, [this] {
            if (m_updating)
                return;
            m_usagesEdited = true;
            validate();
        });
    }
    connect(m_ui->keyUsageCriticalCheck, &QCheckBox::toggled, this, &CertificateDialog::validate);
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

    // Wide enough that the subject fields show a typical name in full, never larger than a small screen (1024x768,
    // less a panel and the title bar): the form shrinks to its minimum instead.
    QSize size(std::max(sizeHint().width(), 960), sizeHint().height());
    size = size.boundedTo(QSize(1000, 700));
    if (const QScreen *s = screen())
        size = size.boundedTo(s->availableGeometry().size() - QSize(0, 40));
    resize(size.expandedTo(minimumSizeHint()));
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

int CertificateDialog::validDays() const
{
    // Rounded: the minute the dialog was opened and the minute it is read do not change the count.
    return int(std::lround(double(nowUtcMinute().secsTo(m_ui->notAfterEdit->dateTime())) / 86400.0));
}

void CertificateDialog::setValidDays(int days)
{
    m_ui->validDaysSpin->setValue(days);
}

void CertificateDialog::applyValidity(int days)
{
    // The end date counts from now; a start that would not come before it moves back by the profile's lifetime, so
    // that "-30 days" is a certificate that was valid once and expired a month ago.
    const QScopedValueRollback updating(m_updating, true);
    const QDateTime end = nowUtcMinute().addDays(days);
    m_ui->notAfterEdit->setDateTime(end);
    if (m_ui->notBeforeEdit->dateTime() >= end)
        m_ui->notBeforeEdit->setDateTime(end.addDays(-std::max(1, defaultsFor(profile()).validDays)));
    updateValidDays();
}

void CertificateDialog::updateValidDays()
{
    const QScopedValueRollback updating(m_updating, true);
    const int days = validDays();
    m_ui->validDaysSpin->setValue(days);
    m_ui->validDaysHintLabel->setText(
        days < 0 ? tr("from now: expired %n day(s) ago", nullptr, -days) : tr("from now"));
}

void CertificateDialog::setAutoText(QLineEdit *edit, const QString &text)
{
    // Only fields the user has not changed follow the profile.
    if (edit->text().isEmpty() || edit->text() == m_autoTexts.value(edit)) {
        m_autoTexts.insert(edit, text);
        edit->setText(text);
    }
}

CertificateDialog::Family CertificateDialog::familyOf(CertificateProfile p)
{
    using F = Family;
    switch (p) {
    case CertificateProfile::SelfSignedServer:
    case CertificateProfile::Server:
        return F::Server;
    case CertificateProfile::CertificateAuthority:
        return F::Ca;
    case CertificateProfile::IntermediateCa:
        return F::Intermediate;
    case CertificateProfile::Client:
        return F::Client;
    }
    return F::Server;
}

void CertificateDialog::applyProfileDefaults()
{
    const CertificateProfile p = profile();
    const ProfileDefaults d = defaultsFor(p);
    const bool familyChanged = m_appliedProfile && familyOf(*m_appliedProfile) != familyOf(p);
    if (familyChanged) {
        // What the user typed belongs to the profile it was typed for: "www.example.test" is no name for a CA. It is
        // kept aside and comes back with that kind of profile; the new one starts from its own defaults.
        Remembered &old = m_remembered[size_t(familyOf(*m_appliedProfile))];
        const auto typed
            = [this](QLineEdit *edit) { return edit->text() == m_autoTexts.value(edit) ? QString() : edit->text(); };
        old.commonName = typed(m_ui->commonNameEdit);
        old.prefix = typed(m_ui->filePrefixEdit);
        old.sans = m_ui->sanEdit->toPlainText() == m_autoSans ? QString() : m_ui->sanEdit->toPlainText();
        const Remembered &next = m_remembered[size_t(familyOf(p))];
        const auto restore = [this](QLineEdit *edit, const QString &typedText, const QString &defaultText) {
            m_autoTexts.insert(edit, defaultText);
            edit->setText(typedText.isEmpty() ? defaultText : typedText);
        };
        restore(m_ui->commonNameEdit, next.commonName, d.commonName);
        restore(m_ui->filePrefixEdit, next.prefix, d.prefix);
        m_autoSans = d.sans;
        m_ui->sanEdit->setPlainText(next.sans.isEmpty() ? d.sans : next.sans);
        // Usages chosen for a server are no choice for a CA either.
        m_usagesEdited = false;
    } else {
        setAutoText(m_ui->commonNameEdit, d.commonName);
        setAutoText(m_ui->filePrefixEdit, d.prefix);
        const QString sans = m_ui->sanEdit->toPlainText();
        if (sans.trimmed().isEmpty() || sans == m_autoSans) {
            m_autoSans = d.sans;
            m_ui->sanEdit->setPlainText(d.sans);
        }
    }
    m_appliedProfile = p;

    // Dates the user set fit every profile; untouched ones follow the profile's lifetime.
    if (!m_validityEdited) {
        const QScopedValueRollback updating(m_updating, true);
        const QDateTime start = nowUtcMinute();
        m_ui->notBeforeEdit->setDateTime(start);
        m_ui->notAfterEdit->setDateTime(start.addDays(d.validDays));
    }
    updateValidDays();
    updateUsageLists();
    m_ui->pathLengthSpin->setValue(d.pathLength);
    m_ui->pathLengthSpin->setEnabled(isCaProfile(p));
    m_ui->pathLengthLabel->setEnabled(isCaProfile(p));
    m_ui->issuerBox->setEnabled(needsIssuer(p));
    m_ui->issuerBox->setTitle(needsIssuer(p) ? tr("Issuer") : tr("Issuer (not needed: self-signed)"));
    offerLastCa();
}

void CertificateDialog::populateUsageLists()
{
    const auto fill = [this](QListWidget *list, const auto &usages) {
        for (const Usage &usage : usages) {
            auto *item = new QListWidgetItem(tr(usage.text), list);
            item->setData(usageRole, QString::fromUtf16(usage.name));
            item->setFlags(Qt::ItemIsUserCheckable | Qt::ItemIsEnabled | Qt::ItemIsSelectable);
            item->setCheckState(Qt::Unchecked);
        }
        // Every item in view without scrolling: as many columns as the width holds, as many rows as they need
        // (layoutUsageList, on each resize of the list).
        list->setFlow(QListView::LeftToRight);
        list->setWrapping(true);
        list->setResizeMode(QListView::Adjust);
        list->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
        list->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
        list->setTabKeyNavigation(false);
        list->viewport()->installEventFilter(this);
    };
    const QScopedValueRollback updating(m_updating, true);
    fill(m_ui->keyUsageList, keyUsages);
    fill(m_ui->extendedKeyUsageList, extendedKeyUsages);
    layoutUsageList(m_ui->keyUsageList);
    layoutUsageList(m_ui->extendedKeyUsageList);
}

void CertificateDialog::layoutUsageList(QListWidget *list)
{
    // The widest text, its check box and the margins around both (the view's own size hints follow the grid once
    // one is set, so they cannot say how wide a cell must be).
    int widest = 1;
    for (int i = 0; i < list->count(); ++i)
        widest = std::max(widest, list->fontMetrics().horizontalAdvance(list->item(i)->text()));
    widest += list->style()->pixelMetric(QStyle::PM_IndicatorWidth, nullptr, list) + 24;
    const int rowHeight = list->sizeHintForRow(0) + 2;
    // Before the dialog is shown the list has no width of its own yet: three columns is what it gets at the size the
    // dialog opens with.
    const int width = std::max(list->isVisible() ? list->viewport()->width() : 3 * widest, widest);
    const int columns = std::clamp(width / widest, 1, int(list->count()));
    const int rows = (int(list->count()) + columns - 1) / columns;
    // A few pixels short of the full width, or the view wraps the last column onto a row of its own.
    list->setGridSize(QSize((width - 4) / columns, rowHeight));
    list->setFixedHeight(rows * rowHeight + 2 * list->frameWidth());
}

bool CertificateDialog::eventFilter(QObject *watched, QEvent *event)
{
    if (event->type() == QEvent::MouseButtonRelease) {
        // The press has placed the cursor; a drag that selected text of its own is left alone.
        for (QDateTimeEdit *edit : {m_ui->notBeforeEdit, m_ui->notAfterEdit}) {
            auto *text = qobject_cast<QLineEdit *>(watched);
            if (text && text->parent() == edit && !text->hasSelectedText())
                edit->setSelectedSection(edit->currentSection());
        }
    }
    if (event->type() == QEvent::Resize) {
        for (QListWidget *list : {m_ui->keyUsageList, m_ui->extendedKeyUsageList}) {
            if (watched == list->viewport())
                layoutUsageList(list);
        }
    }
    return QDialog::eventFilter(watched, event);
}

void CertificateDialog::updateUsageLists()
{
    // Only what fits the profile and key type can be ticked; what no longer fits is unticked. Lists the user has not
    // touched follow the profile's and key type's defaults.
    const CertificateProfile p = profile();
    const KeyType k = keyType();
    const QScopedValueRollback updating(m_updating, true);
    const auto apply = [this](QListWidget *list, const QStringList &defaults, const auto &unfit) {
        for (int i = 0; i < list->count(); ++i) {
            QListWidgetItem *item = list->item(i);
            const QString name = item->data(usageRole).toString();
            const QString why = unfit(name);
            Qt::ItemFlags flags = item->flags();
            flags.setFlag(Qt::ItemIsEnabled, why.isEmpty());
            item->setFlags(flags);
            item->setToolTip(why.isEmpty() ? name : tr("%1: %2").arg(name, why));
            const bool checked = m_usagesEdited ? item->checkState() == Qt::Checked : defaults.contains(name);
            item->setCheckState(checked && why.isEmpty() ? Qt::Checked : Qt::Unchecked);
        }
    };
    apply(m_ui->keyUsageList, defaultKeyUsages(p, k), [&](const QString &n) { return keyUsageUnfit(n, p, k); });
    apply(m_ui->extendedKeyUsageList, defaultExtendedKeyUsages(p),
        [&](const QString &n) { return extendedKeyUsageUnfit(n, p); });
}

QStringList CertificateDialog::checkedUsages(const QListWidget *list) const
{
    QStringList names;
    for (int i = 0; i < list->count(); ++i) {
        const QListWidgetItem *item = list->item(i);
        if (item->checkState() == Qt::Checked && (item->flags() & Qt::ItemIsEnabled))
            names.append(item->data(usageRole).toString());
    }
    return names;
}

void CertificateDialog::offerLastCa()
{
    // The CA made last (here or in an earlier run) is the likely issuer of the next certificate: offered while the
    // issuer fields are empty or still hold what was offered before.
    if (!needsIssuer(profile()))
        return;
    const QSettings settings;
    const QString certificate = settings.value(lastCaCertificateKey).toString();
    const QString key = settings.value(lastCaKeyKey).toString();
    if (certificate.isEmpty() || !QFileInfo::exists(certificate) || (!key.isEmpty() && !QFileInfo::exists(key)))
        return;
    setAutoText(m_ui->issuerCertificateEdit, QDir::toNativeSeparators(certificate));
    setAutoText(m_ui->issuerKeyEdit, QDir::toNativeSeparators(key));
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
    // Empty would mean "the profile's default" to the generator; validate() refuses an empty key usage list, and a
    // leaf's list always holds its TLS purpose.
    const QStringList keyUsage = checkedUsages(m_ui->keyUsageList);
    if (!keyUsage.isEmpty())
        r.keyUsage = (m_ui->keyUsageCriticalCheck->isChecked() ? u"critical,"_s : QString()) + keyUsage.join(u',');
    r.extendedKeyUsage = checkedUsages(m_ui->extendedKeyUsageList).join(u',');
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
    m_ui->issuerStatusLabel->hide(); // its row costs height the dialog does not have to spare on a small screen
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
    const bool offered = m_ui->issuerCertificateEdit->text() == m_autoTexts.value(m_ui->issuerCertificateEdit);
    m_ui->issuerStatusLabel->show();
    m_ui->issuerStatusLabel->setToolTip(identity->leaf().subjectDisplayName());
    m_ui->issuerStatusLabel->setText(offered
            ? tr("Signed by %1 (the CA made last)").arg(identity->leaf().subjectDisplayName())
            : tr("Signed by %1").arg(identity->leaf().subjectDisplayName()));
}

void CertificateDialog::validate()
{
    QStringList problems;
    QStringList notes;
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

    // The usages in plain words, before OpenSSL or a peer would say it in theirs.
    const QStringList keyUsage = checkedUsages(m_ui->keyUsageList);
    const QStringList extendedKeyUsage = checkedUsages(m_ui->extendedKeyUsageList);
    if (keyUsage.isEmpty())
        add(tr("tick at least one key usage"));
    else if (isCaProfile(r.profile) && !keyUsage.contains(u"keyCertSign"_s))
        add(tr("a CA certificate needs the key usage “Certificate Sign”: without it, what it signs is rejected"));
    else if (!isCaProfile(r.profile) && !keyUsage.contains(u"digitalSignature"_s)) {
        if (isRsa(r.keyType) && keyUsage.contains(u"keyEncipherment"_s))
            notes.append(tr("without “Digital Signature” the key cannot sign a handshake: only TLS 1.2 with RSA "
                            "key exchange will work (no TLS 1.3, no ECDHE)"));
        else
            add(tr("a TLS certificate needs the key usage “Digital Signature”: its key must sign the handshake"));
    }
    if (isServerProfile(r.profile) && !extendedKeyUsage.contains(u"serverAuth"_s))
        add(tr("a server certificate needs the extended key usage “TLS server”: clients refuse it otherwise (the "
               "client profile makes a certificate without it)"));
    if (r.profile == CertificateProfile::Client && !extendedKeyUsage.contains(u"clientAuth"_s))
        add(tr("a client certificate needs the extended key usage “TLS client”: servers refuse it otherwise"));

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
    // Files this dialog has just written are no error: they are what the user asked for. Generate waits for a new
    // prefix (or Overwrite), and says so without alarm.
    bool justWritten = false;
    if (!m_ui->overwriteCheck->isChecked()) {
        for (const CertificatePlan::File &file : plannedFiles()) {
            if (!QFileInfo::exists(file.path))
                continue;
            if (m_justWritten.contains(file.path))
                justWritten = true;
            else
                add(tr("%1 already exists (tick “Overwrite” to replace it)").arg(QDir::toNativeSeparators(file.path)));
        }
    }

    // Worth knowing, and not wrong: a lab makes expired and long-lived certificates on purpose.
    const QDateTime now = QDateTime::currentDateTimeUtc();
    if (r.notAfter > r.notBefore && r.notAfter < now)
        notes.append(tr("this certificate will already have expired when it is made"));
    else if (r.notAfter > r.notBefore && r.notBefore > now.addSecs(3600))
        notes.append(tr("this certificate will not be valid yet when it is made"));
    if (isServerProfile(r.profile) && r.notBefore.daysTo(r.notAfter) > 398)
        notes.append(tr("browsers refuse server certificates valid for more than 398 days"));

    m_problems = problems;
    m_notes = notes;
    QStringList lines;
    for (const QString &problem : std::as_const(problems))
        lines.append(u"• "_s + problem);
    m_ui->messageLabel->setText(lines.join(u'\n'));
    m_ui->messageLabel->setVisible(!problems.isEmpty());
    QStringList noteLines;
    if (justWritten) {
        const QString waiting = tr("To make another certificate, change the file prefix (or tick “Overwrite”).");
        m_problems.append(waiting);
        noteLines.append(waiting);
    }
    for (const QString &note : std::as_const(notes))
        noteLines.append(tr("Note: %1").arg(note));
    m_ui->noteLabel->setText(noteLines.join(u'\n'));
    m_ui->noteLabel->setVisible(!noteLines.isEmpty());
    m_ui->generateButton->setEnabled(m_problems.isEmpty() && !isGenerating());
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
        // Busy, not a percentage: nobody knows how long the prime search will take (the text names the step).
        m_ui->progressBar->setRange(0, 0);
        m_ui->resultLabel->setText(
            isRsa(keyType()) ? tr("Generating the RSA key: searching for the first prime…") : tr("Generating…"));
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

    // One line where it can: the dialog has to fit a small screen with this text in it.
    QStringList names;
    for (const QString &path : outcome.written)
        names.append(QFileInfo(path).fileName());
    m_ui->resultLabel->setText(
        tr("Created %1 in %2: %3")
            .arg(outcome.identity->description(), QDir::toNativeSeparators(outputDirectory()), names.join(u", "_s)));
    m_ui->resultLabel->show();

    // Offered next time, in this dialog and the next one: the folder, and a CA as the issuer of what follows.
    QSettings settings;
    settings.setValue(outputDirectoryKey, outputDirectory());
    if (isCaProfile(profile())) {
        settings.setValue(lastCaCertificateKey, outcome.identity->certificatePath);
        settings.setValue(lastCaKeyKey, outcome.identity->keyPath);
    }
    m_justWritten = outcome.written;
    // The files now exist: Generate waits until the prefix changes or Overwrite is ticked, and says so calmly.
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
