#include "widgets/handshakeladder.h"

#include "model/timeline/timeline.h"

#include <QFileInfo>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QPaintEvent>
#include <QPainter>
#include <QPainterPath>
#include <QSaveFile>
#include <QSvgGenerator>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace TlsLab::Widgets {

using namespace TlsLab::Model;

namespace {
// Layout, in multiples of the font's line height so the picture scales with the user's font.
struct Geometry
{
    int line; // line height
    int header; // column titles
    int row; // one step: label, arrow, sizes
    int gutter; // the time between steps, left of the client's column
    int margin;
    int clientX;
    int serverX;
    int width;
};

Geometry geometryFor(const QFontMetrics &fm, int width)
{
    Geometry g {};
    g.line = fm.height();
    g.header = g.line * 2 + 8;
    g.row = g.line * 3 + 6;
    g.gutter = fm.horizontalAdvance(u"+00.00 ms"_s) + 8; // the widest formatDelta() writes
    g.margin = fm.horizontalAdvance(u"Server"_s);
    g.width = width;
    g.clientX = g.gutter + g.margin;
    g.serverX = std::max(g.clientX + 200, width - g.margin);
    return g;
}

QString formatDelta(qint64 us)
{
    if (us < 1000)
        return u"+%1 µs"_s.arg(us);
    if (us < 10'000'000)
        return u"+%1 ms"_s.arg(double(us) / 1000.0, 0, 'f', us < 100'000 ? 2 : 0);
    return u"+%1 s"_s.arg(double(us) / 1e6, 0, 'f', 1);
}

QString sizeText(qint64 bytes)
{
    return bytes < 10'000 ? u"%1 B"_s.arg(bytes) : u"%1 KB"_s.arg(double(bytes) / 1024.0, 0, 'f', 1);
}

bool isDark(const QPalette &palette)
{
    return palette.color(QPalette::Window).lightness() < 128;
}
} // namespace

HandshakeLadder::HandshakeLadder(Timeline *timeline, QWidget *parent)
    : QWidget(parent)
    , m_timeline(timeline)
    , m_refresh(new QTimer(this))
{
    setObjectName(u"handshakeLadder"_s);
    setAccessibleName(tr("Handshake ladder"));
    setAccessibleDescription(tr("The TLS messages between client and server; Up and Down select a message"));
    setFocusPolicy(Qt::StrongFocus);
    setBackgroundRole(QPalette::Base);
    setAutoFillBackground(true);
    m_refresh->setSingleShot(true);
    m_refresh->setInterval(100);
    connect(m_refresh, &QTimer::timeout, this, &HandshakeLadder::rebuild);
    // A live session grows; new events of it (or of its other end) redraw the ladder, at most ten times a second.
    connect(m_timeline, &Timeline::eventsAppended, this, [this] {
        if (m_sessionId && !m_refresh->isActive())
            m_refresh->start();
    });
    connect(m_timeline, &Timeline::sessionUpdated, this, [this](quint64 id) {
        if (m_sessionId && (id == m_ladder.clientSession || id == m_ladder.serverSession || id == m_sessionId)
            && !m_refresh->isActive())
            m_refresh->start();
    });
    connect(m_timeline, &Timeline::cleared, this, [this] { showSession(0); });
}

HandshakeLadder::~HandshakeLadder() = default;

void HandshakeLadder::showSession(quint64 id)
{
    if (id != m_sessionId)
        m_current = -1;
    m_sessionId = id;
    rebuild();
}

void HandshakeLadder::rebuild()
{
    m_ladder = m_sessionId ? Ladder::build(*m_timeline, m_sessionId) : Ladder();
    if (m_current >= m_ladder.steps.size())
        m_current = -1;
    updateGeometry();
    // The width it is given (down to its minimum: a narrow pane elides labels rather than scrolling sideways), the
    // height it needs.
    resize(std::max(width(), minimumSizeHint().width()), sizeHint().height());
    update();
}

void HandshakeLadder::setCurrentStep(qsizetype step)
{
    if (step < 0 || step >= m_ladder.steps.size())
        return;
    m_current = step;
    update();
    const qsizetype event = m_ladder.steps.at(step).event();
    if (event >= 0)
        Q_EMIT eventSelected(event);
}

QSize HandshakeLadder::pictureSize() const
{
    const Geometry g = geometryFor(fontMetrics(), 0);
    const int verdict = m_ladder.verdict.isEmpty() ? 0 : g.line * 3;
    return {std::max(g.clientX + 200 + g.margin, 620),
        g.header + int(std::max<qsizetype>(m_ladder.steps.size(), 1)) * g.row + verdict + g.line};
}

QSize HandshakeLadder::sizeHint() const
{
    return pictureSize();
}

QSize HandshakeLadder::minimumSizeHint() const
{
    // Never squeezed in height: in a scroll area, it scrolls.
    const Geometry g = geometryFor(fontMetrics(), 0);
    return {g.clientX + 200 + g.margin, pictureSize().height()};
}

int HandshakeLadder::stepY(qsizetype step) const
{
    const Geometry g = geometryFor(fontMetrics(), width());
    return g.header + int(step) * g.row + g.row / 2;
}

qsizetype HandshakeLadder::stepAt(int y) const
{
    const Geometry g = geometryFor(fontMetrics(), width());
    if (y < g.header)
        return -1;
    const qsizetype step = (y - g.header) / g.row;
    return step < m_ladder.steps.size() ? step : -1;
}

void HandshakeLadder::mousePressEvent(QMouseEvent *event)
{
    const qsizetype step = stepAt(int(event->position().y()));
    if (step >= 0)
        setCurrentStep(step);
    QWidget::mousePressEvent(event);
}

void HandshakeLadder::keyPressEvent(QKeyEvent *event)
{
    if (m_ladder.steps.isEmpty()) {
        QWidget::keyPressEvent(event);
        return;
    }
    switch (event->key()) {
    case Qt::Key_Up:
        setCurrentStep(std::max<qsizetype>(m_current - 1, 0));
        break;
    case Qt::Key_Down:
        setCurrentStep(std::min<qsizetype>(m_current + 1, m_ladder.steps.size() - 1));
        break;
    case Qt::Key_Home:
        setCurrentStep(0);
        break;
    case Qt::Key_End:
        setCurrentStep(m_ladder.steps.size() - 1);
        break;
    default:
        QWidget::keyPressEvent(event);
    }
}

void HandshakeLadder::paintEvent(QPaintEvent *event)
{
    QPainter painter(this);
    paint(painter, width(), event->rect());
}

bool HandshakeLadder::writeSvg(QIODevice *device) const
{
    const QSize size = pictureSize();
    QSvgGenerator svg;
    svg.setOutputDevice(device);
    svg.setSize(size);
    svg.setViewBox(QRect(QPoint(0, 0), size));
    svg.setTitle(tr("TLS handshake of session %1").arg(m_sessionId));
    svg.setDescription(tr("Drawn by TLS Lab"));
    QPainter painter;
    if (!painter.begin(&svg))
        return false;
    painter.fillRect(QRect(QPoint(0, 0), size), palette().color(QPalette::Base));
    paint(painter, size.width());
    return painter.end();
}

bool HandshakeLadder::exportTo(const QString &path, QString *error) const
{
    QSaveFile file(path);
    bool written = file.open(QIODevice::WriteOnly);
    if (written) {
        const QString suffix = QFileInfo(path).suffix().toLower();
        if (suffix == u"svg"_s)
            written = writeSvg(&file);
        else if (suffix == u"png"_s)
            written = toImage().save(&file, "PNG");
        else
            written = file.write(toMermaid().toUtf8()) >= 0;
        written = written && file.commit();
    }
    if (!written && error)
        *error = file.errorString();
    return written;
}

QImage HandshakeLadder::toImage() const
{
    const QSize size = pictureSize();
    QImage image(size, QImage::Format_ARGB32_Premultiplied);
    image.fill(palette().color(QPalette::Base));
    QPainter painter(&image);
    paint(painter, size.width());
    painter.end();
    return image;
}

void HandshakeLadder::paint(QPainter &painter, int width, const QRect &exposed) const
{
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setFont(font());
    const QFontMetrics fm(font());
    const Geometry g = geometryFor(fm, width);
    const QPalette &pal = palette();
    const QColor text = pal.color(QPalette::Text);
    const QColor muted = pal.color(QPalette::PlaceholderText);
    const QColor alert = isDark(pal) ? QColor(255, 110, 100) : QColor(190, 30, 30);
    const QColor encrypted = isDark(pal) ? QColor(120, 180, 255) : QColor(30, 90, 170);
    QFont bold = font();
    bold.setBold(true);
    const QFontMetrics boldMetrics(bold);

    const Ladder &ladder = m_ladder;
    const int bottom = g.header + int(std::max<qsizetype>(ladder.steps.size(), 1)) * g.row;

    // Column titles and lifelines.
    painter.setPen(text);
    painter.setFont(bold);
    auto title = [&](int x, const QString &name, quint64 session) {
        const QString second = session ? tr("session #%1").arg(session) : tr("not in this process");
        // Centred on the column, but kept inside the picture ("not in this process" is wider than the margin).
        auto centred = [&](int y, const QString &text, const QFontMetrics &metrics) {
            const int w = metrics.horizontalAdvance(text) + 4;
            const int left = std::clamp(x - w / 2, 0, std::max(0, width - w));
            painter.drawText(QRect(left, y, w, g.line), Qt::AlignCenter, text);
        };
        centred(2, name, boldMetrics);
        painter.setFont(font());
        centred(2 + g.line, second, fm);
        painter.setFont(bold);
    };
    title(g.clientX, tr("Client"), ladder.clientSession);
    title(g.serverX, tr("Server"), ladder.serverSession);
    painter.setFont(font());
    painter.setPen(QPen(muted, 1));
    painter.drawLine(g.clientX, g.header, g.clientX, bottom);
    painter.drawLine(g.serverX, g.header, g.serverX, bottom);

    if (ladder.steps.isEmpty()) {
        painter.setPen(muted);
        painter.drawText(QRect(g.clientX, g.header, g.serverX - g.clientX, g.row), Qt::AlignCenter,
            m_sessionId ? tr("No TLS messages recorded for this session") : tr("Select a session"));
        return;
    }

    qint64 previousUs = ladder.steps.first().timeUs;
    const int span = g.serverX - g.clientX;
    for (qsizetype i = 0; i < ladder.steps.size(); ++i) {
        const LadderStep &step = ladder.steps.at(i);
        const int top = g.header + int(i) * g.row;
        const int y = top + g.row / 2;
        const bool failure = i == ladder.failureStep;
        if (exposed.isValid() && (top > exposed.bottom() || top + g.row <= exposed.top())) {
            previousUs = step.timeUs;
            continue;
        }
        if (i == m_current)
            painter.fillRect(
                QRect(0, top, width, g.row), pal.color(QPalette::Highlight).lighter(isDark(pal) ? 60 : 170));
        if (failure)
            painter.fillRect(QRect(0, top, 4, g.row), alert);

        // The time since the previous step.
        painter.setPen(muted);
        painter.drawText(QRect(2, y - g.line / 2, g.gutter - 6, g.line), Qt::AlignRight | Qt::AlignVCenter,
            i == 0 ? u"0"_s : formatDelta(step.timeUs - previousUs));
        previousUs = step.timeUs;

        const QColor colour = step.kind == LadderStep::Kind::Alert ? alert : step.encrypted ? encrypted : text;
        if (!step.isArrow()) {
            // A mark at one end: a small box on its lifeline, the words toward the middle.
            const int x = step.from == Side::Client ? g.clientX : g.serverX;
            const bool bad = step.type != u"closed"_s && step.type != u"encrypted"_s;
            const QString label = fm.elidedText(step.type, Qt::ElideRight, span - 20);
            const int w = fm.horizontalAdvance(label) + 12;
            const QRect box = step.from == Side::Client ? QRect(x - 6, y - g.line / 2 - 2, w, g.line + 4)
                                                        : QRect(x - w + 6, y - g.line / 2 - 2, w, g.line + 4);
            painter.setPen(QPen(bad ? alert : muted, 1));
            painter.setBrush(pal.color(QPalette::Base));
            painter.drawRoundedRect(box, 4, 4);
            painter.setPen(bad ? alert : text);
            painter.drawText(box, Qt::AlignCenter, label);
            painter.setBrush(Qt::NoBrush);
            continue;
        }

        const int from = step.from == Side::Client ? g.clientX : g.serverX;
        const int to = step.from == Side::Client ? g.serverX : g.clientX;
        const bool seenReceived = step.receivedEvent >= 0;
        // Plaintext solid, encrypted dashed; an alert that never left is dotted and stops halfway.
        QPen pen(colour, failure ? 2.5 : 1.5);
        pen.setStyle(!step.wire ? Qt::DotLine : step.encrypted ? Qt::DashLine : Qt::SolidLine);
        painter.setPen(pen);
        const int end = step.wire ? to : (from + to) / 2;
        painter.drawLine(from, y, end, y);
        const int dir = to > from ? 1 : -1;
        if (step.wire) {
            QPainterPath head;
            head.moveTo(end, y);
            head.lineTo(end - dir * 9, y - 5);
            head.lineTo(end - dir * 9, y + 5);
            head.closeSubpath();
            painter.fillPath(head, colour);
        } else {
            painter.drawLine(end - 5, y - 5, end + 5, y + 5);
            painter.drawLine(end - 5, y + 5, end + 5, y - 5);
        }

        // Above the arrow: the message and its facts; below: sizes, sent/received, encryption.
        QString name = step.type;
        if (step.kind == LadderStep::Kind::ApplicationData && step.count > 1)
            name += u" ×%1"_s.arg(step.count);
        const QRect above(g.clientX + 8, y - g.line - 2, span - 16, g.line);
        const QString nameText = boldMetrics.elidedText(name, Qt::ElideRight, above.width());
        const int nameWidth = boldMetrics.horizontalAdvance(nameText + u"  "_s);
        const QString factsText = step.kind == LadderStep::Kind::ApplicationData ? QString() : step.facts;
        const QString facts = fm.elidedText(factsText, Qt::ElideMiddle, std::max(0, above.width() - nameWidth));
        const int total = nameWidth + fm.horizontalAdvance(facts);
        const int left = above.left() + std::max(0, (above.width() - total) / 2);
        painter.setFont(bold);
        painter.setPen(colour);
        painter.drawText(QRect(left, above.top(), nameWidth, g.line), Qt::AlignLeft | Qt::AlignVCenter, nameText);
        painter.setFont(font());
        painter.setPen(text);
        painter.drawText(
            QRect(left + nameWidth, above.top(), above.width(), g.line), Qt::AlignLeft | Qt::AlignVCenter, facts);

        QStringList below;
        if (ladder.bothEnds()) {
            below.append(step.sentEvent >= 0 ? tr("sent %1").arg(sizeText(step.bytes)) : tr("not seen sent"));
            if (!step.wire)
                below.append(tr("never on the wire"));
            else if (step.receiptUnseen)
                below.append(tr("receipt not reported"));
            else
                below.append(seenReceived ? tr("received %1").arg(sizeText(std::max<qint64>(step.receivedBytes, 0)))
                                          : tr("not seen received"));
        } else {
            below.append(sizeText(step.bytes));
            if (!step.wire)
                below.append(tr("never on the wire"));
        }
        below.append(step.encrypted ? tr("encrypted") : tr("plaintext"));
        const bool differs = ladder.differs(step);
        painter.setPen(differs ? alert : muted);
        painter.drawText(QRect(g.clientX + 8, y + 3, span - 16, g.line), Qt::AlignCenter,
            fm.elidedText((differs ? u"≠ "_s : QString()) + below.join(u" · "_s), Qt::ElideMiddle, span - 16));
    }

    if (!ladder.verdict.isEmpty()) {
        const QRect box(g.margin / 2, bottom + g.line / 2, width - g.margin, g.line * 2);
        painter.setPen(QPen(alert, 1.5));
        painter.setBrush(Qt::NoBrush);
        painter.drawRoundedRect(box, 4, 4);
        painter.setFont(bold);
        painter.drawText(box.adjusted(8, 0, -8, 0), Qt::AlignVCenter | Qt::AlignLeft,
            boldMetrics.elidedText(
                tr("✗ Failed at step %1: %2 (%3)").arg(ladder.failureStep + 1).arg(ladder.verdict, ladder.verdictCode),
                Qt::ElideMiddle, box.width() - 16));
        painter.setFont(font());
    }
}

} // namespace TlsLab::Widgets
