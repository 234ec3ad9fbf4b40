#include "widgets/hellopane.h"

#include "model/capture/wirestore.h"
#include "model/timeline/timeline.h"
#include "widgets/hellobar.h"
#include "widgets/hellotree.h"

#include <QClipboard>
#include <QGridLayout>
#include <QGuiApplication>
#include <QLabel>
#include <QLineEdit>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace TlsLab::Widgets {

using namespace TlsLab::Model;

namespace {

struct WireLayout
{
    QList<qsizetype> recordPayloads;
    QList<qsizetype> readEnds;
};

// Where the records and the socket reads split the hello, from the session's wire bytes in the hello's direction.
// Empty when the bytes are not kept (the session is still open, or the tap kept none) or do not start with the
// hello's record.
WireLayout wireLayout(const SessionWire &wire, bool sent, qsizetype messageSize, int reads)
{
    WireLayout out;
    QByteArray stream;
    QList<qsizetype> chunkEnds;
    for (const WireChunk &chunk : wire.chunks) {
        if (chunk.sent != sent)
            continue;
        stream += chunk.bytes;
        chunkEnds.append(stream.size());
        if (stream.size() >= messageSize + 5 * 64) // enough for any record split the hello can have
            break;
    }
    qsizetype pos = 0;
    qsizetype carried = 0;
    while (carried < messageSize && pos + 5 <= stream.size() && quint8(stream.at(pos)) == 22) {
        const qsizetype length = (qsizetype(quint8(stream.at(pos + 3))) << 8) | quint8(stream.at(pos + 4));
        out.recordPayloads.append(length);
        carried += length;
        pos += 5 + length;
    }
    if (carried < messageSize || pos > stream.size()) {
        out.recordPayloads.clear();
        return out;
    }
    const qsizetype helloEnd = pos - (carried - messageSize);
    qsizetype chunksInHello = 0;
    for (qsizetype end : std::as_const(chunkEnds)) {
        ++chunksInHello;
        if (end >= helloEnd)
            break;
        out.readEnds.append(end);
    }
    // The tap's first look at a received hello comes after OpenSSL has taken the first record's header out of the
    // socket read that carried it: that one read is kept as two chunks (header, rest). The listener counted the reads.
    if (!sent && reads > 0 && chunksInHello > reads && !out.readEnds.isEmpty() && out.readEnds.constFirst() == 5)
        out.readEnds.removeFirst();
    if (sent)
        out.readEnds.clear(); // our own writes say nothing of how the peer received them
    return out;
}

} // namespace

const QStringList &HelloPane::fingerprintKeys()
{
    static const QStringList keys {
        u"ja3"_s, u"ja3_md5"_s, u"ja3n"_s, u"ja3n_md5"_s, u"ja4"_s, u"ja4_r"_s, u"ja3s"_s, u"ja3s_md5"_s};
    return keys;
}

HelloPane::HelloPane(Timeline *timeline, QWidget *parent)
    : QWidget(parent)
    , m_timeline(timeline)
    , m_refresh(new QTimer(this))
    , m_bar(new HelloBar(this))
    , m_tree(new HelloTree(this))
{
    setObjectName(u"helloPane"_s);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->setSpacing(4);
    auto *grid = new QGridLayout;
    grid->setHorizontalSpacing(6);
    grid->setVerticalSpacing(2);
    static const QStringList labels {
        tr("JA3"), tr("JA3 MD5"), tr("JA3N"), tr("JA3N MD5"), tr("JA4"), tr("JA4_r"), tr("JA3S"), tr("JA3S MD5")};
    // Two columns: the fingerprint's text on the left, its hash (or JA4_r beside JA4) on the right.
    for (qsizetype i = 0; i < fingerprintKeys().size(); ++i) {
        const QString &key = fingerprintKeys().at(i);
        const int gridRow = int(i / 2);
        const int column = int(i % 2) * 3;
        auto *label = new QLabel(labels.at(i), this);
        auto *field = new QLineEdit(this);
        field->setObjectName(key + u"Field"_s);
        field->setReadOnly(true);
        field->setAccessibleName(labels.at(i));
        field->setMinimumWidth(fontMetrics().horizontalAdvance(u'0') * 12);
        label->setBuddy(field);
        auto *copy = new QToolButton(this);
        copy->setObjectName(key + u"CopyButton"_s);
        copy->setText(tr("Copy"));
        copy->setAccessibleName(tr("Copy %1").arg(labels.at(i)));
        copy->setToolTip(tr("Copy the %1 fingerprint to the clipboard").arg(labels.at(i)));
        copy->setEnabled(false);
        connect(copy, &QToolButton::clicked, this, [field] { QGuiApplication::clipboard()->setText(field->text()); });
        grid->addWidget(label, gridRow, column);
        grid->addWidget(field, gridRow, column + 1);
        grid->addWidget(copy, gridRow, column + 2);
        m_fields.insert(key, field);
        m_copyButtons.insert(key, copy);
    }
    grid->setColumnStretch(1, 3);
    grid->setColumnStretch(4, 2);
    layout->addLayout(grid);
    layout->addWidget(m_bar);
    layout->addWidget(m_tree, 1);

    m_refresh->setSingleShot(true);
    m_refresh->setInterval(150);
    connect(m_refresh, &QTimer::timeout, this, &HelloPane::refresh);
    // A live session gains its hellos as the handshake goes, and its wire bytes when it ends.
    connect(m_timeline, &Timeline::eventsAppended, this, [this] {
        if (m_sessionId && m_timeline->session(m_sessionId).isOpen())
            scheduleRefresh();
    });
    connect(m_timeline, &Timeline::sessionUpdated, this, [this](quint64 id) {
        if (id == m_sessionId)
            scheduleRefresh();
    });
    connect(m_timeline, &Timeline::cleared, this, [this] { showSession(0); });
    refresh();
}

HelloPane::~HelloPane() = default;

void HelloPane::showSession(quint64 id)
{
    if (id != m_sessionId) {
        m_hellos.clear();
        m_scannedTo = 0;
        m_tree->setHellos({});
    }
    m_sessionId = id;
    refresh();
}

QString HelloPane::fingerprint(const QString &key) const
{
    QLineEdit *field = m_fields.value(key);
    return field ? field->text() : QString();
}

QToolButton *HelloPane::copyButton(const QString &key) const
{
    return m_copyButtons.value(key);
}

void HelloPane::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    if (m_stale)
        refresh();
}

void HelloPane::scheduleRefresh()
{
    if (!m_sessionId || m_refresh->isActive())
        return;
    // Reading the session's events back costs a pass over the timeline: not while the tab is hidden.
    if (!isVisible()) {
        m_stale = true;
        return;
    }
    m_refresh->start();
}

void HelloPane::refresh()
{
    m_stale = false;
    const qsizetype shown = m_hellos.size();
    const qsizetype count = m_timeline->eventCount();
    if (m_scannedTo > count) { // the timeline was cleared since
        m_hellos.clear();
        m_scannedTo = 0;
    }
    if (m_sessionId) {
        // Only the events that arrived since the last look: a live session's tab stays cheap on a long timeline.
        EventFilter filter;
        filter.sessions = {m_sessionId};
        filter.kindMask = (quint64(1) << int(EventKind::ClientHello)) | (quint64(1) << int(EventKind::TlsMessage));
        for (qsizetype index : m_timeline->matching(filter, m_scannedTo, count)) {
            const Event e = m_timeline->event(index);
            const qint64 type = e.details.value(u"type_code").toInteger(0);
            if (type == 1 || type == 2) // a ClientHello, a ServerHello or a HelloRetryRequest, dissected by the tap
                m_hellos.append(e.details.toMap());
        }
        m_scannedTo = count;
    }
    // Rebuilt only when a hello came: the user's place in the tree survives the session's later events.
    if (m_hellos.size() != shown || m_hellos.isEmpty())
        m_tree->setHellos(m_hellos);

    QHash<QString, QString> values;
    const QCborMap *clientHello = nullptr;
    for (const QCborMap &hello : std::as_const(m_hellos)) {
        const bool client = hello.value(u"type_code"_s).toInteger() == 1;
        if (client && clientHello)
            continue; // the fingerprints and the bar are the first ClientHello's (a second follows a retry)
        if (!client && hello.value(u"hello_retry_request"_s).toBool())
            continue;
        if (client)
            clientHello = &hello;
        for (const QString &key : fingerprintKeys()) {
            if (hello.contains(key))
                values.insert(key, hello.value(key).toString());
        }
    }
    for (const QString &key : fingerprintKeys()) {
        m_fields.value(key)->setText(values.value(key));
        m_fields.value(key)->setCursorPosition(0);
        m_fields.value(key)->setToolTip(values.value(key));
        m_copyButtons.value(key)->setEnabled(!values.value(key).isEmpty());
    }

    if (!clientHello) {
        m_bar->clear();
        return;
    }
    const bool sent = clientHello->value(u"direction"_s).toString() == u"sent"_s;
    const qsizetype size = clientHello->value(u"size"_s).toInteger(clientHello->value(u"bytes"_s).toInteger());
    WireLayout layout;
    if (const WireStore *store = WireStore::find(m_timeline))
        layout = wireLayout(store->wire(m_sessionId), sent, size, int(clientHello->value(u"reads"_s).toInteger(0)));
    m_bar->setHello(*clientHello, layout.recordPayloads, layout.readEnds);
}

} // namespace TlsLab::Widgets
