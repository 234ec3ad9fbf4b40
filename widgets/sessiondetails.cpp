#include "widgets/sessiondetails.h"

#include "model/certs/certificatedetails.h"
#include "model/diagnosis/diagnoser.h"
#include "model/diagnosis/verdict.h"
#include "model/timeline/timeline.h"
#include "model/tls/socketfacts.h"
#include "model/tls/tlstext.h"
#include "widgets/chainstrip.h"
#include "widgets/handshakeladder.h"
#include "widgets/hellopane.h"
#include "widgets/hellotree.h"
#include "widgets/sessiontablemodel.h"

#include <QClipboard>
#include <QFileDialog>
#include <QFileInfo>
#include <QFrame>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSaveFile>
#include <QScrollArea>
#include <QScrollBar>
#include <QSslCipher>
#include <QTabWidget>
#include <QTextBrowser>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace TlsLab::Widgets {

using namespace TlsLab::Model;

namespace {
QString row(const QString &name, const QString &value)
{
    return u"<tr><td style='padding-right:12px'><b>"_s + name.toHtmlEscaped() + u"</b></td><td>"_s
        + value.toHtmlEscaped() + u"</td></tr>"_s;
}

// What this session's verification said about the chain's certificate at index i (errors without a certificate
// concern the leaf).
QStringList certificateProblems(const Session &s, qsizetype i)
{
    QStringList problems;
    for (const QSslError &e : s.verifyErrors) {
        if (e.certificate() == s.peerChain.at(i) || (e.certificate().isNull() && i == 0))
            problems.append(TlsText::errorWords(e.error()));
    }
    return problems;
}

// The peer's chain in brief, from the model's CertificateDetails (the texts `openssl x509` prints, the same ones
// the certificate viewer shows in full), with what this session's verification said about each certificate.
QString chainHtml(const Session &s)
{
    QString html;
    for (qsizetype i = 0; i < s.peerChain.size(); ++i) {
        const QSslCertificate &certificate = s.peerChain.at(i);
        const CertificateDetails d = CertificateDetails::fromCertificate(certificate);
        html += u"<h4>"_s
            + (i == 0 ? SessionDetails::tr("Certificate %1 (leaf)") : SessionDetails::tr("Certificate %1"))
                  .arg(i + 1)
                  .toHtmlEscaped()
            + u": "_s + TlsText::certificateName(certificate).toHtmlEscaped() + u"</h4><table>"_s;
        html += row(SessionDetails::tr("Subject"), d.subjectText);
        html += row(SessionDetails::tr("Issuer"), d.issuerText);
        QStringList names;
        for (const CertificateDetails::AltName &name : d.subjectAltNames)
            names.append(name.type + u':' + name.value);
        if (!names.isEmpty())
            html += row(SessionDetails::tr("Subject Alternative Name"), names.join(u", "_s));
        html += row(SessionDetails::tr("SHA-256 Fingerprint"), d.sha256Fingerprint);
        html += row(SessionDetails::tr("Serial"), d.serialHex);
        html += row(SessionDetails::tr("Valid"),
            SessionDetails::tr("%1 to %2 (%3)").arg(d.notBeforeText, d.notAfterText, d.validityStatus()));
        if (s.side == Side::Client) {
            // Only a client verifies here; a listener's view of a client certificate has its own errors list.
            const QStringList problems = certificateProblems(s, i);
            html += row(SessionDetails::tr("Verdict"),
                problems.isEmpty() ? SessionDetails::tr("no verification error") : problems.join(u"; "_s));
        }
        html += u"</table>"_s;
    }
    return html;
}
} // namespace

SessionDetails::SessionDetails(Timeline *timeline, QWidget *parent)
    : QWidget(parent)
    , m_timeline(timeline)
    , m_bannerArea(new QScrollArea(this))
    , m_banner(new QFrame(this))
    , m_verdictWhat(new QLabel(m_banner))
    , m_verdictWhy(new QLabel(m_banner))
    , m_verdictFix(new QLabel(m_banner))
    , m_copyFixButton(new QPushButton(tr("Copy fix"), m_banner))
    , m_browser(new QTextBrowser(this))
    , m_viewButton(new QPushButton(QIcon(u":/icons/certificate.svg"_s), tr("Open certificate &details"), this))
    , m_exportButton(new QPushButton(QIcon(u":/icons/export.svg"_s), tr("Export chain…"), this))
    , m_chainArea(new QScrollArea(this))
    , m_chainStrip(new ChainStrip(m_chainArea))
    , m_tabs(new QTabWidget(this))
    , m_ladder(new HandshakeLadder(timeline, this))
    , m_exportLadderButton(new QPushButton(QIcon(u":/icons/export.svg"_s), tr("Export ladder…"), this))
    , m_copyMermaidButton(new QPushButton(tr("Copy as Mermaid"), this))
{
    setObjectName(u"sessionDetails"_s);
    m_browser->setObjectName(u"sessionDetailsText"_s);
    m_viewButton->setObjectName(u"viewChainButton"_s);
    m_exportButton->setObjectName(u"exportChainButton"_s);
    m_browser->setOpenLinks(false);

    // The verdict banner: what / why / fix, every line selectable, the fix copyable with one click.
    m_banner->setObjectName(u"verdictBanner"_s);
    m_verdictWhat->setObjectName(u"verdictWhat"_s);
    m_verdictWhy->setObjectName(u"verdictWhy"_s);
    m_verdictFix->setObjectName(u"verdictFix"_s);
    m_copyFixButton->setObjectName(u"copyFixButton"_s);
    m_banner->setFrameShape(QFrame::StyledPanel);
    m_banner->setAutoFillBackground(true);
    m_banner->setBackgroundRole(QPalette::AlternateBase);
    for (QLabel *label : {m_verdictWhat, m_verdictWhy, m_verdictFix}) {
        label->setWordWrap(true);
        label->setTextFormat(Qt::PlainText);
        label->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    }
    QFont bold = m_verdictWhat->font();
    bold.setBold(true);
    m_verdictWhat->setFont(bold);
    auto *bannerLayout = new QVBoxLayout(m_banner);
    bannerLayout->addWidget(m_verdictWhat);
    bannerLayout->addWidget(m_verdictWhy);
    auto *fixRow = new QHBoxLayout;
    fixRow->addWidget(m_verdictFix, 1);
    fixRow->addWidget(m_copyFixButton, 0, Qt::AlignTop);
    bannerLayout->addLayout(fixRow);
    m_banner->hide();
    connect(m_copyFixButton, &QPushButton::clicked, this,
        [this] { QGuiApplication::clipboard()->setText(m_session.diagnosis.value(u"fix"_s).toString()); });
    // Sessions are judged when they end; the diagnoser is shared by everything that shows this timeline.
    Diagnoser::of(m_timeline);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    // On a small screen the verdict's words would take the height the tabs need: past a few lines they scroll.
    m_bannerArea->setObjectName(u"verdictBannerArea"_s);
    m_bannerArea->setWidget(m_banner);
    m_bannerArea->setWidgetResizable(true);
    m_bannerArea->setFrameShape(QFrame::NoFrame);
    m_bannerArea->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_bannerArea->setMaximumHeight(fontMetrics().height() * 7);
    m_bannerArea->hide();
    layout->addWidget(m_bannerArea);
    layout->addWidget(m_tabs, 1);
    m_tabs->setObjectName(u"sessionDetailsTabs"_s);
    m_tabs->setDocumentMode(true);
    auto *facts = new QWidget(m_tabs);
    auto *factsLayout = new QVBoxLayout(facts);
    factsLayout->setContentsMargins(0, 0, 0, 0);
    // The chain as a picture above the text; it scrolls sideways when the pane is narrower than the chain.
    m_chainArea->setObjectName(u"chainStripArea"_s);
    m_chainArea->setWidget(m_chainStrip);
    m_chainArea->setWidgetResizable(true);
    m_chainArea->setFrameShape(QFrame::NoFrame);
    // Its full height; the text below gives way and scrolls (a few lines of it stay).
    m_browser->setMinimumHeight(fontMetrics().height() * 3);
    m_chainArea->setFixedHeight(
        m_chainStrip->sizeHint().height() + m_chainArea->horizontalScrollBar()->sizeHint().height());
    factsLayout->addWidget(m_chainArea);
    factsLayout->addWidget(m_browser);
    connect(m_chainStrip, &ChainStrip::certificateActivated, this,
        [this](qsizetype index) { Q_EMIT certificateRequested(m_session.peerChain, int(index)); });
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_viewButton);
    buttons->addWidget(m_exportButton);
    buttons->addStretch();
    factsLayout->addLayout(buttons);
    m_tabs->addTab(facts, tr("Facts"));

    // The ladder scrolls both ways; it keeps its natural height and takes the width it is given.
    auto *handshake = new QWidget(m_tabs);
    auto *handshakeLayout = new QVBoxLayout(handshake);
    handshakeLayout->setContentsMargins(0, 0, 0, 0);
    auto *ladderArea = new QScrollArea(handshake);
    ladderArea->setObjectName(u"ladderScrollArea"_s);
    ladderArea->setWidget(m_ladder);
    ladderArea->setWidgetResizable(true);
    ladderArea->setFrameShape(QFrame::NoFrame);
    handshakeLayout->addWidget(ladderArea, 1);
    auto *ladderButtons = new QHBoxLayout;
    m_exportLadderButton->setObjectName(u"exportLadderButton"_s);
    m_copyMermaidButton->setObjectName(u"copyMermaidButton"_s);
    m_exportLadderButton->setToolTip(tr("Save the ladder as SVG, PNG or Mermaid text"));
    m_copyMermaidButton->setToolTip(tr("Copy the ladder as a Mermaid sequence diagram, for a bug report"));
    ladderButtons->addWidget(m_exportLadderButton);
    ladderButtons->addWidget(m_copyMermaidButton);
    ladderButtons->addStretch();
    handshakeLayout->addLayout(ladderButtons);
    m_tabs->addTab(handshake, tr("Handshake"));
    m_hello = new HelloPane(timeline, m_tabs);
    m_tabs->addTab(m_hello, tr("Hello"));
    connect(m_ladder, &HandshakeLadder::eventSelected, this, &SessionDetails::eventSelected);
    connect(m_ladder, &HandshakeLadder::eventSelected, ladderArea, [this, ladderArea] {
        ladderArea->ensureVisible(0, m_ladder->stepY(m_ladder->currentStep()), 0, m_ladder->fontMetrics().height() * 3);
    });
    connect(m_exportLadderButton, &QPushButton::clicked, this, &SessionDetails::chooseLadderFile);
    connect(m_copyMermaidButton, &QPushButton::clicked, this,
        [this] { QGuiApplication::clipboard()->setText(m_ladder->toMermaid()); });
    connect(
        m_viewButton, &QPushButton::clicked, this, [this] { Q_EMIT certificateChainRequested(m_session.peerChain); });
    connect(m_exportButton, &QPushButton::clicked, this, [this] { Q_EMIT exportChainRequested(m_sessionId); });
    connect(m_timeline, &Timeline::sessionUpdated, this, [this](quint64 id) {
        if (id == m_sessionId)
            refresh();
    });
    connect(m_timeline, &Timeline::cleared, this, [this] { showSession(0); });
    refresh();
}

SessionDetails::~SessionDetails() = default;

void SessionDetails::showSession(quint64 id)
{
    m_sessionId = id;
    m_ladder->showSession(id);
    m_hello->showSession(id);
    refresh();
}

void SessionDetails::showLadder()
{
    m_tabs->setCurrentIndex(1);
}

void SessionDetails::showHello()
{
    m_tabs->setCurrentWidget(m_hello);
}

void SessionDetails::focusCurrentTab()
{
    if (m_tabs->currentIndex() == 1)
        m_ladder->setFocus(Qt::ShortcutFocusReason);
    else if (m_tabs->currentWidget() == m_hello)
        m_hello->tree()->setFocus(Qt::ShortcutFocusReason);
    else
        m_browser->setFocus(Qt::ShortcutFocusReason);
}

bool SessionDetails::exportLadder(const QString &path, QString *error) const
{
    return m_ladder->exportTo(path, error);
}

void SessionDetails::chooseLadderFile()
{
    auto *dialog = new QFileDialog(this, tr("Export handshake ladder"), QString(),
        tr("SVG picture (*.svg);;PNG image (*.png);;Mermaid text (*.mmd *.txt)"));
    dialog->setObjectName(u"ladderFileDialog"_s);
    dialog->setAcceptMode(QFileDialog::AcceptSave);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->selectFile(tr("handshake-%1.svg").arg(m_sessionId));
    connect(dialog, &QFileDialog::filterSelected, dialog, [dialog](const QString &filter) {
        const QString suffix = filter.contains(u"*.png"_s) ? u"png"_s
            : filter.contains(u"*.svg"_s)                  ? u"svg"_s
                                                           : u"mmd"_s;
        dialog->setDefaultSuffix(suffix);
    });
    dialog->setDefaultSuffix(u"svg"_s);
    connect(dialog, &QFileDialog::fileSelected, this, [this](const QString &path) {
        QString error;
        const bool ok = exportLadder(path, &error);
        Q_EMIT ladderExported(
            ok, ok ? tr("Handshake ladder written to %1").arg(path) : tr("Could not write %1: %2").arg(path, error));
    });
    dialog->open();
}

QString SessionDetails::text() const
{
    return m_browser->toPlainText();
}

QString SessionDetails::verdictText() const
{
    if (m_banner->isHidden())
        return {};
    return m_verdictWhat->text() + u'\n' + m_verdictWhy->text() + u'\n' + m_verdictFix->text();
}

void SessionDetails::showVerdict()
{
    const Verdict v = Verdict::fromJson(m_session.diagnosis);
    if (v.causeCode.isEmpty() || m_session.id != m_sessionId || !m_sessionId) {
        m_banner->hide();
        m_bannerArea->hide();
        return;
    }
    const QString who = v.side == Verdict::Party::Unknown ? tr("which end must change is not known")
        : v.side == Verdict::Party::Either                ? tr("either end can change")
        : v.side == Verdict::Party::Client                ? tr("the client must change")
                                                          : tr("the server must change");
    m_verdictWhat->setText((v.isFailure() ? tr("What happened: %1 (%2, at %3; %4)") : tr("Note: %1 (%2, at %3; %4)"))
                               .arg(v.cause, v.causeCode, stepName(v.step), who));
    m_verdictWhy->setText(tr("Why: %1").arg(v.why));
    m_verdictWhy->setVisible(!v.why.isEmpty());
    m_verdictFix->setText(tr("Fix: %1").arg(v.fix));
    m_verdictFix->setVisible(!v.fix.isEmpty());
    m_copyFixButton->setVisible(!v.fix.isEmpty());
    m_banner->show();
    m_bannerArea->show();
}

void SessionDetails::refresh()
{
    m_session = m_sessionId ? m_timeline->session(m_sessionId) : Session();
    const Session &s = m_session;
    m_viewButton->setEnabled(!s.peerChain.isEmpty());
    m_exportButton->setEnabled(!s.peerChain.isEmpty());
    m_exportLadderButton->setEnabled(m_sessionId != 0);
    m_copyMermaidButton->setEnabled(m_sessionId != 0);
    showVerdict();
    QList<QStringList> problems;
    for (qsizetype i = 0; s.side == Side::Client && i < s.peerChain.size(); ++i)
        problems.append(certificateProblems(s, i));
    m_chainStrip->setChain(s.peerChain, problems);
    m_chainArea->setVisible(!s.peerChain.isEmpty() && s.id == m_sessionId);
    if (!m_sessionId || s.id != m_sessionId) {
        m_browser->setHtml(u"<p>"_s + tr("Select a session to see its details.") + u"</p>"_s);
        return;
    }
    QString html = u"<h3>"_s + tr("Session #%1 (%2 side)").arg(s.id).arg(sideName(s.side)) + u"</h3><table>"_s;
    html += row(tr("Outcome"), sessionOutcome(s));
    html += row(tr("Local"), SocketFacts::endpoint(s.localAddress, s.localPort));
    html += row(tr("Peer"), SocketFacts::endpoint(s.peerAddress, s.peerPort));
    if (!s.peerName.isEmpty())
        html += row(s.side == Side::Client ? tr("Server name") : tr("SNI"), s.peerName);
    html += row(tr("Started"), formatTimeUs(s.startUs));
    if (s.endUs)
        html += row(
            tr("Ended"), formatTimeUs(s.endUs) + tr(" (%1 ms)").arg(double(s.endUs - s.startUs) / 1000.0, 0, 'f', 1));
    if (s.linkedSession)
        html += row(tr("Other end"), tr("session #%1 in this window").arg(s.linkedSession));
    if (!s.protocol.isEmpty())
        html += row(tr("Protocol"), s.protocol);
    if (!s.cipher.isEmpty()) {
        html += row(tr("Cipher suite"), s.cipher);
        const QSslCipher cipher(s.cipher);
        if (!cipher.isNull()) {
            html += row(tr("  key exchange"), cipher.keyExchangeMethod());
            html += row(tr("  authentication"), cipher.authenticationMethod());
            html += row(tr("  encryption"), tr("%1 (%2 bits)").arg(cipher.encryptionMethod()).arg(cipher.usedBits()));
        }
    }
    if (!s.alpn.isEmpty())
        html += row(tr("ALPN"), s.alpn);
    if (!s.ephemeralKey.isEmpty())
        html += row(tr("Ephemeral key"), s.ephemeralKey);
    if (s.untrusted)
        html += row(tr("Trust"), tr("untrusted: the user continued despite the errors below"));
    if (s.bytesSent || s.bytesReceived)
        html += row(tr("Bytes"), tr("%1 sent, %2 received").arg(s.bytesSent).arg(s.bytesReceived));
    html += u"</table>"_s;
    if (!s.verifyErrors.isEmpty()) {
        html += u"<h4>"_s + tr("Verification errors") + u"</h4><ul>"_s;
        for (const QSslError &e : s.verifyErrors) {
            html += u"<li>"_s + TlsText::errorWords(e.error()).toHtmlEscaped();
            if (!e.certificate().isNull())
                html += u" — "_s + TlsText::certificateName(e.certificate()).toHtmlEscaped();
            html += u"</li>"_s;
        }
        html += u"</ul>"_s;
    }
    if (!s.peerChain.isEmpty()) {
        html += u"<h4>"_s + tr("Peer certificate chain") + u"</h4>"_s;
        html += chainHtml(s);
    }
    const int scroll = m_browser->verticalScrollBar() ? m_browser->verticalScrollBar()->value() : 0;
    m_browser->setHtml(html);
    m_browser->verticalScrollBar()->setValue(scroll);
}

} // namespace TlsLab::Widgets
