"""aiolab: the asyncio course's helper library."""
