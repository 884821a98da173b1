"""`python manage.py media_server_config`: write nginx-rtmp's configuration for this shop.

Fills deploy/media/nginx.conf.template from the settings (LIVE_RTMP_URL's port,
LIVE_HLS_BASE_URL's port and path, LIVE_MEDIA_CALLBACK_TOKEN) and the options, which win.
"""

import re
import string
from pathlib import Path
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

TEMPLATE = Path(settings.BASE_DIR) / "deploy" / "media" / "nginx.conf.template"
RTMP_MODULE = "/usr/lib/nginx/modules/ngx_rtmp_module.so"
# Whatever goes into the configuration verbatim: no spaces, quotes, semicolons or braces.
SAFE_VALUE = re.compile(r"^[A-Za-z0-9_./:@%+=,*-]*$")


def _port(url: str, default: int) -> int:
    try:
        return urlsplit(url).port or default
    except ValueError as error:
        raise CommandError(f"{url!r} has no valid port: {error}") from error


def _safe(name: str, value: str) -> str:
    if not SAFE_VALUE.match(value):
        raise CommandError(f"--{name} {value!r} must not contain spaces, quotes, ';' or braces.")
    return value


def render_media_server_config(
    *,
    rtmp_port: int,
    http_port: int,
    hls_dir: str,
    hls_location: str,
    run_dir: str,
    callback_base: str,
    token: str = "",
    hls_fragment: str = "2s",
    hls_playlist_length: str = "12h",
    cors_origin: str = "*",
    rtmp_module: str = RTMP_MODULE,
    user: str = "",
    error_log: str = "stderr",
    access_log: str = "off",
) -> str:
    """The nginx configuration text. Raises CommandError for a value nginx could misread."""
    for name, value in {"hls-dir": hls_dir, "run-dir": run_dir}.items():
        if not value.startswith("/"):
            raise CommandError(f"--{name} must be an absolute path, not {value!r}.")
    location = "/" + hls_location.strip("/")
    if location == "/":
        raise CommandError("The HLS location must be a path such as /hls (LIVE_HLS_BASE_URL's path).")
    if not callback_base.startswith(("http://", "https://")):
        raise CommandError(f"--callback-base must be the app's http(s):// address, not {callback_base!r}.")
    if callback_base.startswith("https://"):
        raise CommandError("nginx-rtmp calls back over plain HTTP only: give the app's internal http:// address.")
    main = []
    if rtmp_module:
        main.append(f"load_module {_safe('rtmp-module', rtmp_module)};")
    if user:
        main.append(f"user {_safe('user', user)};")
    values = {
        "MEDIA_MAIN_DIRECTIVES": "\n".join(main),
        "MEDIA_RUN_DIR": _safe("run-dir", run_dir.rstrip("/")),
        "MEDIA_ERROR_LOG": _safe("error-log", error_log),
        "MEDIA_ACCESS_LOG": _safe("access-log", access_log),
        "MEDIA_RTMP_PORT": str(int(rtmp_port)),
        "MEDIA_HTTP_PORT": str(int(http_port)),
        "MEDIA_HLS_DIR": _safe("hls-dir", hls_dir.rstrip("/")),
        "MEDIA_HLS_LOCATION": _safe("hls-location", location),
        "MEDIA_HLS_FRAGMENT": _safe("hls-fragment", hls_fragment),
        "MEDIA_HLS_PLAYLIST_LENGTH": _safe("hls-playlist-length", hls_playlist_length),
        "MEDIA_CALLBACK_BASE": _safe("callback-base", callback_base.rstrip("/")),
        "MEDIA_CALLBACK_QUERY": f"?token={quote(token, safe='')}" if token else "",
        "MEDIA_CORS_ORIGIN": _safe("cors-origin", cors_origin),
    }
    text = string.Template(TEMPLATE.read_text(encoding="utf-8")).safe_substitute(values)
    left = sorted(set(re.findall(r"\$\{(MEDIA_[A-Z_]+)\}", text)))
    if left:
        raise CommandError(f"The template has placeholders this command does not fill: {', '.join(left)}.")
    return text


class Command(BaseCommand):
    help = "Write the media server's (nginx + RTMP module) configuration from the settings."

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", default="-", help="file to write (default: standard output)")
        parser.add_argument("--rtmp-port", type=int, help="default: the port of LIVE_RTMP_URL (1935)")
        parser.add_argument("--http-port", type=int, help="default: the port of LIVE_HLS_BASE_URL (8080)")
        parser.add_argument("--hls-location", help="URL path of the playlists; default: LIVE_HLS_BASE_URL's path")
        parser.add_argument("--hls-dir", default="/var/lib/alliance-media/hls", help="where nginx writes HLS")
        parser.add_argument("--run-dir", default="/var/lib/alliance-media/run", help="pid file and temp files")
        parser.add_argument(
            "--callback-base", default="http://127.0.0.1:8000",
            help="the app's address as the media server reaches it (plain http)",
        )
        parser.add_argument("--token", help="default: LIVE_MEDIA_CALLBACK_TOKEN")
        parser.add_argument("--hls-fragment", default="2s", help="match the encoder's keyframe interval")
        parser.add_argument(
            "--hls-playlist-length", default="12h", help="longer than any session: the replay lists every fragment"
        )
        parser.add_argument("--cors-origin", default="*", help="Access-Control-Allow-Origin of the HLS files")
        parser.add_argument("--rtmp-module", default=RTMP_MODULE, help="'' when nginx has RTMP built in")
        parser.add_argument("--user", default="", help="user of nginx's worker (when started as root)")
        parser.add_argument("--error-log", default="stderr")
        parser.add_argument("--access-log", default="off")
        parser.add_argument("--make-dirs", action="store_true", help="create --hls-dir and --run-dir")

    def handle(self, *args, **options):
        hls_base = settings.LIVE_HLS_BASE_URL
        token = options["token"] if options["token"] is not None else settings.LIVE_MEDIA_CALLBACK_TOKEN
        if not token and urlsplit(options["callback_base"]).hostname not in ("127.0.0.1", "localhost", "::1"):
            self.stderr.write(
                "Warning: no callback token, and the app refuses callbacks from other hosts without one. "
                "Set LIVE_MEDIA_CALLBACK_TOKEN (here and in the app) or pass --token."
            )
        text = render_media_server_config(
            rtmp_port=options["rtmp_port"] or _port(settings.LIVE_RTMP_URL, 1935),
            http_port=options["http_port"] or _port(hls_base, 8080),
            hls_location=options["hls_location"] or urlsplit(hls_base).path or "/hls",
            hls_dir=options["hls_dir"],
            run_dir=options["run_dir"],
            callback_base=options["callback_base"],
            token=token,
            hls_fragment=options["hls_fragment"],
            hls_playlist_length=options["hls_playlist_length"],
            cors_origin=options["cors_origin"],
            rtmp_module=options["rtmp_module"],
            user=options["user"],
            error_log=options["error_log"],
            access_log=options["access_log"],
        )
        if options["make_dirs"]:
            for key in ("hls_dir", "run_dir"):
                Path(options[key]).mkdir(parents=True, exist_ok=True)
        if options["output"] == "-":
            self.stdout.write(text, ending="")
            return
        Path(options["output"]).write_text(text, encoding="utf-8")
        self.stderr.write(f"Wrote {options['output']}. Check it with: nginx -t -c {Path(options['output']).resolve()}")
