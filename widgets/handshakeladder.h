#pragma once

#include "model/timeline/ladder.h"

#include <QWidget>

class QIODevice;
class QPainter;
class QTimer;

namespace TlsLab::Model {
class Timeline;
}

namespace TlsLab::Widgets {

// The handshake of a session as a picture: the client's and the server's column, each TLS message an arrow in time
// order with its key facts, encrypted messages dashed, alerts in red, the time between steps on the left, and the
// point of failure marked with the verdict. When both ends are ours each arrow says it was sent and received, and a
// difference is flagged. Drawn from Model::Ladder (which the command line shares); exports as SVG, PNG and Mermaid.
// Click an arrow (or move with Up/Down) to select its event.
class HandshakeLadder final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HandshakeLadder)

public:
    explicit HandshakeLadder(Model::Timeline *timeline, QWidget *parent = nullptr);
    ~HandshakeLadder() override;

    void showSession(quint64 id); // 0 clears
    quint64 sessionId() const { return m_sessionId; }
    const Model::Ladder &ladder() const { return m_ladder; }
    qsizetype currentStep() const { return m_current; }
    void setCurrentStep(qsizetype step);
    // The vertical centre of a step's arrow, in widget coordinates (for tests and keyboard scrolling).
    int stepY(qsizetype step) const;

    // The picture at its natural size, for export.
    QSize pictureSize() const;
    bool writeSvg(QIODevice *device) const;
    QImage toImage() const;
    QString toMermaid() const { return m_ladder.toMermaid(); }
    // Writes the ladder by the file's suffix: ".svg", ".png", anything else Mermaid text. False (and why) on failure.
    bool exportTo(const QString &path, QString *error = nullptr) const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

Q_SIGNALS:
    // The user picked the step whose event is at this timeline index.
    void eventSelected(qsizetype timelineIndex);

protected:
    void paintEvent(QPaintEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;

private:
    void rebuild();
    // Paints the whole picture; with `exposed`, only the rungs that cross it (a 200-message ladder is 10,000 px tall,
    // the window shows a few hundred).
    void paint(QPainter &painter, int width, const QRect &exposed = {}) const;
    qsizetype stepAt(int y) const;

    Model::Timeline *m_timeline;
    quint64 m_sessionId = 0;
    Model::Ladder m_ladder;
    qsizetype m_current = -1;
    QTimer *m_refresh; // coalesces the timeline's updates while a session is live
};

} // namespace TlsLab::Widgets
