"""What the tests and the benchmarks share, imported by both as `support.<module>`.

No part of the product: the wheel leaves it out (pyproject's hatch packages), and no runtime
package imports it.
"""
