import base64
import io

import qrcode
import qrcode.image.svg


def qr_data_uri(text: str, *, box_size: int = 10, border: int = 2) -> str:
    """An SVG QR code of `text` as a data: URI (allowed by our Content-Security-Policy).

    `box_size` and `border` in modules: the defaults for a screen; box_size=3, border=1
    gives a code about 11 mm wide (0.3 mm modules) that fits a page margin.
    """
    image = qrcode.make(
        text, image_factory=qrcode.image.svg.SvgPathImage, box_size=box_size, border=border
    )
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()
