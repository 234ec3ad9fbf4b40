#include "widgets/certificateviewer.h"

#include "model/certs/certificateio.h"
#include "widgets/chainstrip.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QIcon>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QScrollArea>
#include <QScrollBar>
#include <QShortcut>
#include <QSplitter>
#include <QTabWidget>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace TlsLab::Widgets {

using Model::CertificateDetails;
using Model::CertificateIo;
using Model::ChainAnalysis;

namespace {

// The text "Copy value" puts on the clipboard when it differs from the displayed one (whole extension texts).
constexpr int CopyValueRole = Qt::UserRole;
// On chain items: the index into m_certificates.
constexpr int CertificateIndexRole = Qt::UserRole + 1;

QTreeWidgetItem *addField(QTreeWidgetItem *parent, const QString &field, const QString &value)
{
    auto *item = new QTreeWidgetItem(parent, {field, value});
    item->setToolTip(1, value);
    return item;
}

QTreeWidgetItem *addGroup(QTreeWidget *tree, const QString &title)
{
    auto *item = new QTreeWidgetItem(tree, {title});
    QFont bold = item->font(0);
    bold.setBold(true);
    item->setFont(0, bold);
    item->setFirstColumnSpanned(false);
    return item;
}

QString nameLabel(const CertificateDetails::NameEntry &entry)
{
    if (entry.longName.isEmpty() || entry.longName == entry.shortName)
        return entry.shortName;
    return u"%1 (%2)"_s.arg(entry.shortName, entry.longName);
}

QString displayName(const CertificateDetails &details)
{
    const QString cn = details.commonName();
    return cn.isEmpty() ? details.subjectText : cn;
}

QString publicKeyText(const CertificateDetails &d)
{
    if (!d.publicKeyCurve.isEmpty())
        return u"%1 %2 (%3 bits)"_s.arg(d.publicKeyAlgorithm, d.publicKeyCurve).arg(d.publicKeyBits);
    if (d.publicKeyBits > 0)
        return u"%1 %2 bits"_s.arg(d.publicKeyAlgorithm).arg(d.publicKeyBits);
    return d.publicKeyAlgorithm;
}

} // namespace

CertificateViewer::CertificateViewer(QWidget *parent)
    : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);

    m_banner = new QLabel(this);
    m_banner->setObjectName(u"bannerLabel"_s);
    m_banner->setWordWrap(true);
    m_banner->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_banner->setAutoFillBackground(true);
    m_banner->setMargin(6);
    m_banner->hide();
    layout->addWidget(m_banner);

    m_nameLabel = new QLabel(this);
    m_nameLabel->setObjectName(u"nameMatchLabel"_s);
    m_nameLabel->setWordWrap(true);
    m_nameLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_nameLabel);

    // The chain as a picture first (who issued whom, what has expired, where verification broke); a click selects.
    auto *stripArea = new QScrollArea(this);
    stripArea->setObjectName(u"chainStripArea"_s);
    m_chainStrip = new ChainStrip(stripArea);
    stripArea->setWidget(m_chainStrip);
    stripArea->setWidgetResizable(true);
    stripArea->setFrameShape(QFrame::NoFrame);
    stripArea->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    stripArea->setFixedHeight(
        m_chainStrip->sizeHint().height() + stripArea->horizontalScrollBar()->sizeHint().height());
    layout->addWidget(stripArea);
    connect(m_chainStrip, &ChainStrip::certificateActivated, this,
        [this](qsizetype index) { selectCertificate(int(index)); });

    auto *splitter = new QSplitter(Qt::Vertical, this);
    layout->addWidget(splitter, 1);

    m_chainTree = new QTreeWidget(splitter);
    m_chainTree->setObjectName(u"chainTree"_s);
    m_chainTree->setColumnCount(ChainColumnCount);
    m_chainTree->setHeaderLabels({tr("#"), tr("Certificate"), tr("Issued by"), tr("Verdict")});
    m_chainTree->setRootIsDecorated(true);
    m_chainTree->setSelectionMode(QAbstractItemView::SingleSelection);
    m_chainTree->setAllColumnsShowFocus(true);
    m_chainTree->header()->setStretchLastSection(true);
    m_chainTree->setAccessibleName(tr("Certificate chain"));

    m_tabs = new QTabWidget(splitter);
    m_tabs->setObjectName(u"tabs"_s);

    m_detailsTree = new QTreeWidget(m_tabs);
    m_detailsTree->setObjectName(u"detailsTree"_s);
    m_detailsTree->setColumnCount(2);
    m_detailsTree->setHeaderLabels({tr("Field"), tr("Value")});
    m_detailsTree->setSelectionMode(QAbstractItemView::SingleSelection);
    m_detailsTree->setContextMenuPolicy(Qt::CustomContextMenu);
    m_detailsTree->setUniformRowHeights(false);
    m_detailsTree->setAccessibleName(tr("Certificate details"));
    m_tabs->addTab(m_detailsTree, tr("&Details"));

    m_pemEdit = new QPlainTextEdit(m_tabs);
    m_pemEdit->setObjectName(u"pemEdit"_s);
    m_pemEdit->setReadOnly(true);
    m_pemEdit->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_pemEdit->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_tabs->addTab(m_pemEdit, tr("&PEM"));

    // A chain is rarely longer than four certificates: most of the height goes to the details.
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 4);
    splitter->setSizes({110, 520});

    auto *buttons = new QHBoxLayout;
    m_exportPemButton = new QPushButton(QIcon(u":/icons/export.svg"_s), tr("Export &certificate (PEM)…"), this);
    m_exportPemButton->setObjectName(u"exportPemButton"_s);
    m_exportChainButton = new QPushButton(QIcon(u":/icons/export.svg"_s), tr("Export c&hain (PEM)…"), this);
    m_exportChainButton->setObjectName(u"exportChainButton"_s);
    m_exportDerButton = new QPushButton(QIcon(u":/icons/export.svg"_s), tr("Export certificate (D&ER)…"), this);
    m_exportDerButton->setObjectName(u"exportDerButton"_s);
    buttons->addWidget(m_exportPemButton);
    buttons->addWidget(m_exportChainButton);
    buttons->addWidget(m_exportDerButton);
    buttons->addStretch(1);
    // As a window of its own it closes like a dialog: a Close button, Esc and Ctrl+W (showEvent shows the button).
    m_closeButton = new QPushButton(tr("Close"), this);
    m_closeButton->setObjectName(u"closeButton"_s);
    m_closeButton->hide();
    buttons->addWidget(m_closeButton);
    layout->addLayout(buttons);
    connect(m_closeButton, &QPushButton::clicked, this, &CertificateViewer::closeWindow);
    for (const QKeySequence &key : {QKeySequence(Qt::Key_Escape), QKeySequence(tr("Ctrl+W"))}) {
        auto *shortcut = new QShortcut(key, this);
        shortcut->setContext(Qt::WidgetWithChildrenShortcut);
        connect(shortcut, &QShortcut::activated, this, &CertificateViewer::closeWindow);
    }

    auto *copyAction = new QAction(tr("&Copy value"), m_detailsTree);
    copyAction->setShortcut(QKeySequence::Copy);
    copyAction->setShortcutContext(Qt::WidgetShortcut);
    m_detailsTree->addAction(copyAction);
    connect(copyAction, &QAction::triggered, this, &CertificateViewer::copySelectedValue);
    connect(m_detailsTree, &QWidget::customContextMenuRequested, this, [this, copyAction](const QPoint &pos) {
        QTreeWidgetItem *item = m_detailsTree->itemAt(pos);
        if (!item)
            return;
        m_detailsTree->setCurrentItem(item);
        auto *menu = new QMenu(this);
        menu->setAttribute(Qt::WA_DeleteOnClose);
        menu->addAction(copyAction);
        menu->popup(m_detailsTree->viewport()->mapToGlobal(pos));
    });

    connect(m_chainTree, &QTreeWidget::currentItemChanged, this, &CertificateViewer::showDetails);
    connect(m_exportPemButton, &QPushButton::clicked, this, &CertificateViewer::exportPem);
    connect(m_exportChainButton, &QPushButton::clicked, this, &CertificateViewer::exportChainPem);
    connect(m_exportDerButton, &QPushButton::clicked, this, &CertificateViewer::exportDer);

    rebuildChain();
}

CertificateViewer::~CertificateViewer() = default;

void CertificateViewer::closeWindow()
{
    if (isWindow())
        close();
}

void CertificateViewer::showEvent(QShowEvent *event)
{
    m_closeButton->setVisible(isWindow());
    QWidget::showEvent(event);
}

void CertificateViewer::setChain(const QList<QSslCertificate> &chainAsSent, const QList<QSslCertificate> &trustAnchors,
    bool useSystemStore, const QString &checkedName)
{
    hideBanner();
    m_chainAsSent = chainAsSent;
    m_analysis = chainAsSent.isEmpty() ? ChainAnalysis()
                                       : ChainAnalysis::analyze(chainAsSent, trustAnchors, useSystemStore, checkedName);
    rebuildChain();
}

void CertificateViewer::openFile(const QString &path)
{
    const auto data = CertificateIo::readFile(path);
    if (!data) {
        showBanner(data.error(), Banner::Error);
        return;
    }
    if (CertificateIo::isPkcs12(*data)) {
        // Many bundles have an empty passphrase: try that before asking.
        const auto identity = CertificateIo::identityFromPkcs12(*data, {}, path);
        if (identity) {
            setChain(identity->chain);
            Q_EMIT fileOpened(path);
        } else {
            askPkcs12Passphrase(path, *data);
        }
        return;
    }
    const auto certificates = CertificateIo::certificatesFromData(*data, path);
    if (!certificates) {
        showBanner(certificates.error(), Banner::Error);
        return;
    }
    setChain(*certificates);
    Q_EMIT fileOpened(path);
}

void CertificateViewer::askPkcs12Passphrase(const QString &path, const QByteArray &data)
{
    auto *dialog = new QInputDialog(this);
    dialog->setObjectName(u"pkcs12PassphraseDialog"_s);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(tr("PKCS#12 passphrase"));
    dialog->setLabelText(tr("Passphrase for %1:").arg(QFileInfo(path).fileName()));
    dialog->setTextEchoMode(QLineEdit::Password);
    connect(dialog, &QInputDialog::textValueSelected, this, [this, path, data](const QString &passphrase) {
        const auto identity = CertificateIo::identityFromPkcs12(data, passphrase.toUtf8(), path);
        if (!identity) {
            showBanner(identity.error(), Banner::Error);
            return;
        }
        setChain(identity->chain);
        Q_EMIT fileOpened(path);
    });
    connect(dialog, &QDialog::rejected, this,
        [this, path] { showBanner(tr("%1: not opened (no passphrase given)").arg(path), Banner::Error); });
    dialog->open();
}

QSslCertificate CertificateViewer::selectedCertificate() const
{
    return m_certificates.value(selectedIndex());
}

int CertificateViewer::selectedIndex() const
{
    QTreeWidgetItem *item = m_chainTree->currentItem();
    while (item && item->parent())
        item = item->parent();
    return item ? item->data(0, CertificateIndexRole).toInt() : -1;
}

void CertificateViewer::selectCertificate(int index)
{
    for (int i = 0; i < m_chainTree->topLevelItemCount(); ++i) {
        QTreeWidgetItem *item = m_chainTree->topLevelItem(i);
        if (item->data(0, CertificateIndexRole).toInt() == index) {
            m_chainTree->setCurrentItem(item);
            return;
        }
    }
}

QString CertificateViewer::bannerText() const
{
    return m_banner->isHidden() ? QString() : m_banner->text();
}

void CertificateViewer::rebuildChain()
{
    m_chainTree->clear();
    m_certificates.clear();
    m_details.clear();

    const QIcon good(u":/icons/severity-success.svg"_s);
    const QIcon bad(u":/icons/severity-error.svg"_s);
    const QIcon anchor(u":/icons/certificate.svg"_s);

    for (qsizetype i = 0; i < m_analysis.chain.size(); ++i) {
        const ChainAnalysis::Link &link = m_analysis.chain.at(i);
        m_certificates.append(m_chainAsSent.value(i));
        m_details.append(link.details);

        QString issuedBy;
        if (link.issuerSource == u"self")
            issuedBy = tr("itself (self-signed)");
        else if (link.issuerIndex >= 0)
            issuedBy = tr("#%1 %2")
                           .arg(link.issuerIndex + 1)
                           .arg(displayName(m_analysis.chain.at(link.issuerIndex).details));
        else if (link.issuerSource == u"not found")
            issuedBy = tr("%1 (not found)").arg(link.details.issuerText);
        else
            issuedBy = tr("%1 (%2)").arg(link.details.issuerText, link.issuerSource);

        const QString verdict = link.verified
            ? tr("verified")
            : (link.errors.isEmpty() ? tr("not verified") : tr("not verified: %1").arg(link.errors.first()));
        auto *item
            = new QTreeWidgetItem(m_chainTree, {QString::number(i + 1), displayName(link.details), issuedBy, verdict});
        item->setData(0, CertificateIndexRole, int(i));
        item->setIcon(VerdictColumn, link.verified ? good : bad);
        item->setToolTip(SubjectColumn, link.details.subjectText);
        item->setToolTip(IssuedByColumn, link.details.issuerText);
        item->setToolTip(VerdictColumn, link.errors.isEmpty() ? verdict : link.errors.join(u'\n'));
        for (const QString &error : link.errors) {
            auto *child = new QTreeWidgetItem(item, {QString(), QString(), QString(), error});
            child->setIcon(VerdictColumn, bad);
            child->setToolTip(VerdictColumn, error);
        }
        item->setExpanded(true);
    }

    // Certificates of the verified path that were not sent (the trust anchor, usually): listed after the chain, so
    // "who issued whom" ends somewhere the user can inspect.
    for (const CertificateDetails &details : std::as_const(m_analysis.trustPath)) {
        const bool sent = std::any_of(m_analysis.chain.cbegin(), m_analysis.chain.cend(),
            [&details](const ChainAnalysis::Link &l) { return l.details.pem == details.pem; });
        if (sent)
            continue;
        const qsizetype index = m_certificates.size();
        m_certificates.append(QSslCertificate(details.pem, QSsl::Pem));
        m_details.append(details);
        auto *item = new QTreeWidgetItem(m_chainTree,
            {tr("anchor"), displayName(details), details.isSelfSigned ? tr("itself (self-signed)") : details.issuerText,
                tr("trust anchor (not sent)")});
        item->setData(0, CertificateIndexRole, int(index));
        item->setIcon(VerdictColumn, anchor);
        item->setToolTip(SubjectColumn, details.subjectText);
        for (int c = 0; c < ChainColumnCount; ++c)
            item->setForeground(c, m_chainTree->palette().brush(QPalette::Disabled, QPalette::Text));
    }

    for (int c = 0; c < VerdictColumn; ++c)
        m_chainTree->resizeColumnToContents(c);

    if (m_analysis.chain.isEmpty()) {
        m_nameLabel->setText(tr("No certificate."));
    } else {
        QString text = m_analysis.trusted ? tr("Chain trusted.") : tr("Chain NOT trusted.");
        if (!m_analysis.checkedName.isEmpty() && m_analysis.nameMatches.has_value()) {
            text += u' '
                + (*m_analysis.nameMatches
                        ? tr("Name “%1” matches the certificate.").arg(m_analysis.checkedName)
                        : tr("Name “%1” does NOT match the certificate.").arg(m_analysis.checkedName));
        } else {
            text += u' ' + tr("No name checked.");
        }
        m_nameLabel->setText(text);
    }

    m_chainStrip->setAnalysis(m_analysis);
    const bool any = !m_certificates.isEmpty();
    m_exportPemButton->setEnabled(any);
    m_exportDerButton->setEnabled(any);
    m_exportChainButton->setEnabled(!m_chainAsSent.isEmpty());
    if (any)
        m_chainTree->setCurrentItem(m_chainTree->topLevelItem(0));
    else
        showDetails();
}

void CertificateViewer::showDetails()
{
    m_detailsTree->clear();
    const int index = selectedIndex();
    m_chainStrip->setCurrentTile(index);
    if (index < 0 || index >= m_details.size()) {
        m_pemEdit->clear();
        return;
    }
    const CertificateDetails &d = m_details.at(index);

    auto *subject = addGroup(m_detailsTree, tr("Subject"));
    for (const auto &entry : d.subject)
        addField(subject, nameLabel(entry), entry.value);
    subject->setText(1, d.subjectText);

    auto *issuer = addGroup(m_detailsTree, tr("Issuer"));
    for (const auto &entry : d.issuer)
        addField(issuer, nameLabel(entry), entry.value);
    issuer->setText(1, d.issuerText);

    auto *general = addGroup(m_detailsTree, tr("General"));
    addField(general, tr("Version"), u"%1 (0x%2)"_s.arg(d.version).arg(d.version - 1, 0, 16));
    addField(general, tr("Serial number"), d.serialHex)->setToolTip(1, d.serialText);
    addField(general, tr("Certificate authority"), d.isCa ? tr("yes") : tr("no"));
    addField(general, tr("Self-signed"), d.isSelfSigned ? tr("yes") : tr("no"));

    auto *validity = addGroup(m_detailsTree, tr("Validity"));
    validity->setText(1, d.validityStatus());
    addField(validity, tr("Not before"), d.notBeforeText);
    addField(validity, tr("Not after"), d.notAfterText);
    addField(validity, tr("Status"), d.validityStatus());

    auto *key = addGroup(m_detailsTree, tr("Public key"));
    key->setText(1, publicKeyText(d));
    addField(key, tr("Algorithm"), d.publicKeyAlgorithmOid);
    if (!d.publicKeyCurve.isEmpty())
        addField(key, tr("Curve"), d.publicKeyCurve);
    if (d.publicKeyBits > 0)
        addField(key, tr("Size"), tr("%1 bits").arg(d.publicKeyBits));

    auto *signature = addGroup(m_detailsTree, tr("Signature"));
    signature->setText(1, d.signatureAlgorithm);
    addField(signature, tr("Algorithm"), d.signatureAlgorithm);

    auto *sans = addGroup(m_detailsTree, tr("Subject alternative names"));
    QStringList sanTexts;
    for (const auto &san : d.subjectAltNames) {
        addField(sans, san.type, san.value);
        sanTexts.append(u"%1:%2"_s.arg(san.type, san.value));
    }
    sans->setText(1, sanTexts.isEmpty() ? tr("none") : sanTexts.join(u", "_s));
    sans->setData(1, CopyValueRole, sanTexts.join(u", "_s));

    auto *extensions = addGroup(m_detailsTree, tr("Extensions"));
    extensions->setText(1, tr("%n extension(s)", nullptr, int(d.extensions.size())));
    for (const auto &ext : d.extensions) {
        const QString firstLine = ext.text.section(u'\n', 0, 0);
        auto *item = addField(extensions, ext.name,
            (ext.critical ? tr("critical: %1") : tr("%1"))
                .arg(ext.text.contains(u'\n') ? firstLine + u" …"_s : firstLine));
        item->setData(1, CopyValueRole, ext.text);
        item->setToolTip(0, u"%1 (%2)"_s.arg(ext.name, ext.oid));
        item->setToolTip(1, ext.text);
        addField(item, tr("Critical"), ext.critical ? tr("yes") : tr("no"));
        addField(item, tr("OID"), ext.oid);
        addField(item, tr("Value"), ext.text);
    }

    auto *fingerprints = addGroup(m_detailsTree, tr("Fingerprints"));
    addField(fingerprints, tr("SHA-256"), d.sha256Fingerprint);
    addField(fingerprints, tr("SHA-1"), d.sha1Fingerprint);
    addField(fingerprints, tr("SPKI pin (SHA-256, base64)"), d.spkiSha256Pin);

    m_detailsTree->expandToDepth(0);
    m_detailsTree->resizeColumnToContents(0);
    m_pemEdit->setPlainText(QString::fromLatin1(d.pem));
}

void CertificateViewer::copySelectedValue()
{
    QTreeWidgetItem *item = m_detailsTree->currentItem();
    if (!item)
        return;
    const QVariant explicitValue = item->data(1, CopyValueRole);
    const QString value = explicitValue.isValid() ? explicitValue.toString() : item->text(1);
    QApplication::clipboard()->setText(value);
}

void CertificateViewer::showBanner(const QString &text, Banner kind)
{
    // Palette roles rather than fixed colours, so the banner reads in light and dark themes.
    QPalette palette = m_banner->palette();
    if (kind == Banner::Error) {
        palette.setColor(QPalette::Window, QColor(0xc0, 0x1c, 0x28));
        palette.setColor(QPalette::WindowText, Qt::white);
    } else {
        palette = QPalette();
        palette.setBrush(QPalette::Window, m_banner->palette().brush(QPalette::AlternateBase));
    }
    m_banner->setPalette(palette);
    m_banner->setText(text);
    m_banner->show();
    if (kind == Banner::Error)
        Q_EMIT errorOccurred(text);
}

void CertificateViewer::hideBanner()
{
    m_banner->clear();
    m_banner->hide();
}

void CertificateViewer::exportPem()
{
    askExportPath(Export::CertificatePem);
}

void CertificateViewer::exportChainPem()
{
    askExportPath(Export::ChainPem);
}

void CertificateViewer::exportDer()
{
    askExportPath(Export::Der);
}

void CertificateViewer::askExportPath(Export what)
{
    const int index = selectedIndex();
    if ((what != Export::ChainPem && index < 0) || (what == Export::ChainPem && m_chainAsSent.isEmpty()))
        return;
    QString base = what == Export::ChainPem ? displayName(m_details.value(0)) : displayName(m_details.value(index));
    base.replace(QRegularExpression(u"[^A-Za-z0-9._-]+"_s), u"_"_s);
    if (base.isEmpty())
        base = u"certificate"_s;
    QString suggested;
    QString filter;
    QString title;
    switch (what) {
    case Export::CertificatePem:
        suggested = base + u".pem"_s;
        filter = tr("PEM certificates (*.pem *.crt);;All files (*)");
        title = tr("Export certificate as PEM");
        break;
    case Export::ChainPem:
        suggested = base + u".chain.pem"_s;
        filter = tr("PEM certificates (*.pem *.crt);;All files (*)");
        title = tr("Export chain as PEM");
        break;
    case Export::Der:
        suggested = base + u".der"_s;
        filter = tr("DER certificates (*.der *.cer);;All files (*)");
        title = tr("Export certificate as DER");
        break;
    }

    auto *dialog = new QFileDialog(this, title, QDir::home().filePath(suggested), filter);
    dialog->setObjectName(u"exportFileDialog"_s);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setAcceptMode(QFileDialog::AcceptSave);
    dialog->selectFile(suggested);
    connect(dialog, &QFileDialog::fileSelected, this, [this, what](const QString &path) { writeExport(what, path); });
    dialog->open();
}

void CertificateViewer::writeExport(Export what, const QString &path)
{
    // The file dialog has already asked before replacing an existing file, so the user's answer is the permission.
    const auto overwrite = CertificateIo::Overwrite::Yes;
    Model::Status status;
    switch (what) {
    case Export::CertificatePem:
        status = CertificateIo::writeCertificatePem(path, selectedCertificate(), overwrite);
        break;
    case Export::ChainPem:
        status = CertificateIo::writeChainPem(path, m_chainAsSent, overwrite);
        break;
    case Export::Der:
        status = CertificateIo::writeCertificateDer(path, selectedCertificate(), overwrite);
        break;
    }
    if (!status) {
        showBanner(tr("Export failed: %1").arg(status.error()), Banner::Error);
        return;
    }
    showBanner(tr("Written to %1").arg(QDir::toNativeSeparators(path)), Banner::Info);
    Q_EMIT exported(path);
}

} // namespace TlsLab::Widgets
