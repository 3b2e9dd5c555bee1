"""placeholder"""
def render(folder, doc):
    return []
