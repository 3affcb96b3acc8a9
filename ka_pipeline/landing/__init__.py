"""The landing area: where source systems drop their exports, and the contract they follow."""
