// TLS Lab: with a subcommand it runs headless (JSON lines on stdout); without, it opens the window.
#include "app/cli/commandline.h"
#include "app/cli/ladderfile.h"
#include "model/capture/capturewriter.h"
#include "model/lab.h"
#include "model/tls/socketfacts.h"
#include "widgets/mainwindow.h"

#include <QApplication>
#include <QCoreApplication>
#include <QStatusBar>
#include <QTimer>

#include <memory>

using namespace Qt::StringLiterals;

namespace {
void setIdentity()
{
    // Settings live in ~/.config/tlslab/tlslab.conf, the development certificate in ~/.local/share/tlslab.
    QCoreApplication::setOrganizationName(u"tlslab"_s);
    QCoreApplication::setOrganizationDomain(u"tlslab.github.io"_s);
    QCoreApplication::setApplicationName(u"tlslab"_s);
    QCoreApplication::setApplicationVersion(QStringLiteral(TLSLAB_VERSION));
}
} // namespace

int main(int argc, char *argv[])
{
    // A listener holds two descriptors per connection; a desktop session's soft limit (often 1,024) would cap it near
    // 500 clients although the hard limit allows far more.
    TlsLab::Model::SocketFacts::raiseDescriptorLimit();
    QStringList arguments;
    for (int i = 0; i < argc; ++i)
        arguments.append(QString::fromLocal8Bit(argv[i]));

    if (TlsLab::Cli::isCommandLineInvocation(arguments)) {
        std::unique_ptr<QCoreApplication> app;
        if (TlsLab::Cli::ladderNeedsPainting(arguments)) {
            // A ladder drawn as SVG or PNG uses the window's drawing code, hence a QApplication; on the offscreen
            // platform (unless the user chose one) so that no display is needed, nor touched when there is one.
            if (!qEnvironmentVariableIsSet("QT_QPA_PLATFORM"))
                qputenv("QT_QPA_PLATFORM", "offscreen");
            app = std::make_unique<QApplication>(argc, argv);
        } else {
            app = std::make_unique<QCoreApplication>(argc, argv);
        }
        setIdentity();
        TlsLab::Model::Lab lab;
        return TlsLab::Cli::runCommandLine(lab, arguments);
    }

    QApplication app(argc, argv);
    setIdentity();
    QGuiApplication::setDesktopFileName(QStringLiteral(TLSLAB_APP_ID));
    // The lab outlives the window: the window's views read its timeline until they are gone.
    TlsLab::Model::Lab lab;
    // Everything the window records also goes to a capture file in the data folder (with its retention limits), so
    // that the events beyond the window's memory budget, and a whole run after a crash, can be opened again.
    const TlsLab::Model::Status capturing = lab.startCapture({});
    TlsLab::Widgets::MainWindow window(lab);
    window.show();
    if (!capturing)
        window.statusBar()->showMessage(QObject::tr("Not writing a capture: %1").arg(capturing.error()));
    if (arguments.contains(u"--self-test"_s)) {
        // Used by the packaging smoke test: the window must show, then the app must exit cleanly.
        QTimer::singleShot(500, &app, [&window] {
            const bool ok = window.isVisible();
            window.close();
            QCoreApplication::exit(ok ? 0 : 1);
        });
    }
    return app.exec();
}
