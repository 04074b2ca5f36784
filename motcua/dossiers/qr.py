import base64
import io

import qrcode
import qrcode.image.svg


def qr_data_uri(text: str) -> str:
    """An SVG QR code of `text` as a data: URI (allowed by our Content-Security-Policy)."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()
